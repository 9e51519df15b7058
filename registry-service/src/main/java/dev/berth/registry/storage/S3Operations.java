package dev.berth.registry.storage;

import io.minio.AbortMultipartUploadArgs;
import io.minio.CompleteMultipartUploadArgs;
import io.minio.ComposeObjectArgs;
import io.minio.CopyObjectArgs;
import io.minio.CreateBucketArgs;
import io.minio.CreateMultipartUploadArgs;
import io.minio.DeleteObjectsArgs;
import io.minio.GetObjectArgs;
import io.minio.HeadBucketArgs;
import io.minio.HeadObjectArgs;
import io.minio.Http;
import io.minio.ListMultipartUploadsArgs;
import io.minio.ListObjectsV2Args;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectAPIArgs;
import io.minio.SourceObject;
import io.minio.UploadPartArgs;
import io.minio.UploadPartCopyArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.messages.DeleteRequest;
import io.minio.messages.ListBucketResultV2;
import io.minio.messages.ListMultipartUploadsResult;
import io.minio.messages.Part;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * The S3 requests the driver makes, each one blocking on a dedicated worker pool (never an event
 * loop: minio hashes payloads and reads bodies in the calling thread) and retried with exponential
 * backoff and jitter when the failure is transient: a 5xx, SlowDown, or a broken connection. Every
 * request here is safe to repeat.
 */
final class S3Operations implements AutoCloseable {

    static final int MAX_ATTEMPTS = 6;
    private static final long FIRST_DELAY_MS = 100;
    private static final long MAX_DELAY_MS = 3_000;
    private static final Set<String> TRANSIENT_CODES =
            Set.of("SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "OperationAborted");
    private static final Pattern STATUS_IN_MESSAGE = Pattern.compile("(?:code|status)[^0-9]{0,20}(5\\d\\d)");

    private final MinioAsyncClient client;
    private final OkHttpClient http;
    private final WorkerExecutor workers;
    private final String bucket;

    private S3Operations(MinioAsyncClient client, OkHttpClient http, WorkerExecutor workers, String bucket) {
        this.client = client;
        this.http = http;
        this.workers = workers;
        this.bucket = bucket;
    }

    static S3Operations create(Vertx vertx, S3Settings settings) {
        Dispatcher dispatcher = new Dispatcher();
        // okhttp allows 5 calls per host by default; every worker may have one in flight.
        dispatcher.setMaxRequests(settings.workerThreads() * 2);
        dispatcher.setMaxRequestsPerHost(settings.workerThreads() * 2);
        OkHttpClient http = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .protocols(List.of(Protocol.HTTP_1_1))
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofMinutes(5))
                .writeTimeout(Duration.ofMinutes(5))
                .build();
        MinioAsyncClient.Builder builder = MinioAsyncClient.builder()
                .endpoint(settings.endpoint())
                .region(settings.region())
                .httpClient(http, true);
        if (!settings.accessKey().isEmpty()) {
            builder.credentials(settings.accessKey(), settings.secretKey());
        }
        MinioAsyncClient client = builder.build();
        if (settings.pathStyle()) {
            client.disableVirtualStyleEndpoint();
        } else {
            client.enableVirtualStyleEndpoint();
        }
        // A server-side copy of a 5 GiB part can take minutes: that is not a blocked thread.
        WorkerExecutor workers = vertx.createSharedWorkerExecutor("berth-s3-" + settings.bucket(),
                settings.workerThreads(), 30, TimeUnit.MINUTES);
        return new S3Operations(client, http, workers, settings.bucket());
    }

    String bucket() {
        return bucket;
    }

    /** Runs {@code work} on the S3 worker pool; the result arrives on the caller's context. */
    <T> Future<T> onWorker(Callable<T> work) {
        return workers.executeBlocking(work, false);
    }

    /** Blocking: repeats {@code request} while it fails transiently, backing off between attempts. */
    static <T> T retrying(Callable<T> request) throws Exception {
        long delay = FIRST_DELAY_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                return request.call();
            } catch (Exception e) {
                Exception cause = unwrap(e);
                if (attempt >= MAX_ATTEMPTS || !isTransient(cause)) {
                    throw cause;
                }
                Thread.sleep(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
                delay = Math.min(MAX_DELAY_MS, delay * 2);
            }
        }
    }

    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ErrorResponseException ere) {
                int status = ere.response() == null ? 0 : ere.response().code();
                return status >= 500 || TRANSIENT_CODES.contains(ere.errorResponse().code());
            }
            if (t instanceof ServerException se) {
                return se.statusCode() >= 500;
            }
            if (t instanceof InvalidResponseException ire) {
                // A proxy in front of S3 answering 502/503 with HTML: minio only keeps the status in text.
                Matcher m = STATUS_IN_MESSAGE.matcher(String.valueOf(ire.getMessage()));
                return m.find();
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    static boolean isMissing(Throwable e) {
        Throwable cause = unwrap(e);
        return cause instanceof ErrorResponseException ere
                && (Set.of("NoSuchKey", "NoSuchObject", "NotFound").contains(ere.errorResponse().code())
                        || ere.response() != null && ere.response().code() == 404);
    }

    private static Exception unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof Exception ex ? ex : new RuntimeException(t);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    // ---- blocking requests, for the worker pool; each one retries its transient failures ----

    /** Blocking (signing only, no request): a URL that GETs the object without credentials until it expires. */
    String presignedGet(String key, int expirySeconds) throws Exception {
        return client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Http.Method.GET)
                .bucket(bucket).object(key).expiry(expirySeconds).build());
    }

    void ensureBucket() throws Exception {
        try {
            probe();
        } catch (ErrorResponseException e) {
            if (e.response() == null || e.response().code() != 404) {
                throw e;
            }
            retrying(() -> await(client.createBucket(CreateBucketArgs.builder().bucket(bucket).build())));
        }
    }

    void probe() throws Exception {
        retrying(() -> await(client.headBucket(HeadBucketArgs.builder().bucket(bucket).build())));
    }

    /** The object's size, or null when there is none. */
    Long size(String key) throws Exception {
        try {
            return retrying(() -> await(client.headObject(HeadObjectArgs.builder().bucket(bucket).object(key)
                    .build())).size());
        } catch (Exception e) {
            if (isMissing(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Every object whose key starts with {@code prefix}, page after page. */
    List<StoredObject> list(String prefix) throws Exception {
        List<StoredObject> objects = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Args.Builder args = ListObjectsV2Args.builder().bucket(bucket).prefix(prefix).maxKeys(1000);
            if (token != null) {
                args.continuationToken(token);
            }
            ListBucketResultV2 page = retrying(() -> await(client.listObjectsV2(args.build())).result());
            page.contents().forEach(item -> objects.add(new StoredObject(item.objectName(), item.size())));
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return objects;
    }

    /** The body of bytes {@code [offset, offset + length)}; the caller closes it. */
    InputStream get(String key, long offset, long length) throws Exception {
        return retrying(() -> await(client.getObject(GetObjectArgs.builder().bucket(bucket).object(key)
                .offset(offset).length(length).build())));
    }

    void put(String key, byte[] data, int length) throws Exception {
        retrying(() -> await(client.putObject(PutObjectAPIArgs.builder().bucket(bucket).object(key)
                .data(data, length).contentType("application/octet-stream").build())));
    }

    String createUpload(String key) throws Exception {
        return retrying(() -> await(client.createMultipartUpload(CreateMultipartUploadArgs.builder()
                .bucket(bucket).object(key).build())).result().uploadId());
    }

    Part uploadPart(String key, String uploadId, int number, byte[] data, int length) throws Exception {
        String etag = retrying(() -> await(client.uploadPart(UploadPartArgs.builder().bucket(bucket).object(key)
                .uploadId(uploadId).partNumber(number).data(data, length).build())).part().etag());
        // Only number and ETag go into the completion: part checksums would make S3 demand one on
        // every part, and copied parts have none.
        return new Part(number, etag);
    }

    Part copyPart(String key, String uploadId, int number, Piece source) throws Exception {
        Http.Headers headers = new Http.Headers();
        headers.put("x-amz-copy-source", copySource(source.key()));
        headers.put("x-amz-copy-source-range", "bytes=" + source.start() + "-" + (source.end() - 1));
        // minio 9.0.4's UploadPartCopyArgs.builder() cannot instantiate its private constructor:
        // the public one takes the target from compose arguments instead.
        ComposeObjectArgs target = new ComposeObjectArgs(CopyObjectArgs.builder().bucket(bucket).object(key)
                .source(SourceObject.builder().bucket(bucket).object(source.key()).build()).build());
        String etag = retrying(() -> await(client.uploadPartCopy(
                new UploadPartCopyArgs(target, uploadId, number, headers))).part().etag());
        return new Part(number, etag);
    }

    void complete(String key, String uploadId, List<Part> parts) throws Exception {
        try {
            retrying(() -> await(client.completeMultipartUpload(CompleteMultipartUploadArgs.builder().bucket(bucket)
                    .object(key).uploadId(uploadId).parts(parts.toArray(new Part[0])).build())));
        } catch (ErrorResponseException e) {
            // A retried completion whose first attempt did succeed finds the upload gone, the object there.
            if (!"NoSuchUpload".equals(e.errorResponse().code()) || size(key) == null) {
                throw e;
            }
        }
    }

    void abort(String key, String uploadId) throws Exception {
        try {
            retrying(() -> await(client.abortMultipartUpload(AbortMultipartUploadArgs.builder().bucket(bucket)
                    .object(key).uploadId(uploadId).build())));
        } catch (ErrorResponseException e) {
            if (!"NoSuchUpload".equals(e.errorResponse().code())) {
                throw e;
            }
        }
    }

    /** A server-side copy of a whole object of at most 5 GiB. */
    void copyObject(String from, String to) throws Exception {
        retrying(() -> await(client.copyObject(CopyObjectArgs.builder().bucket(bucket).object(to)
                .source(SourceObject.builder().bucket(bucket).object(from).build()).build())));
    }

    void delete(List<String> keys) throws Exception {
        for (int i = 0; i < keys.size(); i += 1000) {
            List<DeleteRequest.Object> batch = keys.subList(i, Math.min(keys.size(), i + 1000)).stream()
                    .map(DeleteRequest.Object::new).toList();
            var result = retrying(() -> await(client.deleteObjects(DeleteObjectsArgs.builder().bucket(bucket)
                    .objects(batch).quiet(true).build())).result());
            if (result != null && !result.errors().isEmpty()) {
                throw new IOException("S3 refused to delete " + result.errors().stream()
                        .map(err -> err.objectName() + " (" + err.code() + ")").collect(Collectors.joining(", ")));
            }
        }
    }

    /** Multipart uploads in progress under {@code prefix}, as key → upload id pairs. */
    List<String[]> uploadsUnder(String prefix) throws Exception {
        ListMultipartUploadsResult result = retrying(() -> await(client.listMultipartUploads(
                ListMultipartUploadsArgs.builder().bucket(bucket).prefix(prefix).build())).result());
        List<String[]> uploads = new ArrayList<>();
        result.uploads().forEach(u -> uploads.add(new String[] {u.objectName(), u.uploadId()}));
        return uploads;
    }

    private String copySource(String key) {
        StringBuilder source = new StringBuilder("/").append(bucket);
        for (String segment : key.split("/", -1)) {
            source.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return source.toString();
    }

    @Override
    public void close() {
        workers.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
