package dev.berth.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.infra.S3Bucket;
import dev.berth.infra.S3ProxyExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract against a real S3 API (S3Proxy), plus what only an object store has to get right. */
@ExtendWith(S3ProxyExtension.class)
class S3DriverTest extends BlobDriverContract {

    private static final int MIB = 1024 * 1024;

    private final S3Bucket bucket;

    S3DriverTest(S3Bucket bucket) {
        this.bucket = bucket;
    }

    private S3Settings settings(String endpoint) {
        return new S3Settings(endpoint, bucket.region(), bucket.bucket(), bucket.accessKey(), bucket.secretKey(),
                true, S3Settings.MIN_PART_SIZE, 4);
    }

    @Override
    protected Future<BlobDriver> openDriver(Vertx vertx) {
        return S3Driver.start(vertx, settings(bucket.endpoint())).map(d -> d);
    }

    @Override
    protected Map<String, String> storageSettings() {
        return Map.of("registry.storage.driver", "s3",
                "registry.storage.s3.endpoint", bucket.endpoint(),
                "registry.storage.s3.region", bucket.region(),
                "registry.storage.s3.bucket", bucket.bucket(),
                "registry.storage.s3.access-key", bucket.accessKey(),
                "registry.storage.s3.secret-key", bucket.secretKey(),
                "registry.storage.s3.part-size", Integer.toString(S3Settings.MIN_PART_SIZE));
    }

    @Test
    void anotherInstanceContinuesAnUploadFromWhatIsInTheBucketAlone() throws Exception {
        BlobDriver other = run(() -> S3Driver.start(vertx, settings(bucket.endpoint())));
        try {
            byte[] first = GeneratedStream.bytes(30, 200_000);
            byte[] second = GeneratedStream.bytes(31, 6 * MIB + 5);
            write("instances/a", 0, first);
            run(() -> other.openForAppend("instances/a", first.length)
                    .compose(s -> GeneratedStream.of(context, 31, second.length).pipeTo(s)));
            assertThat(run(() -> driver.size("instances/a"))).isEqualTo(first.length + second.length);
            run(() -> driver.move("instances/a", "instances/b"));
            byte[] all = run(() -> other.read("instances/b", 0, first.length + second.length)
                    .compose(this::collect)).getBytes();
            assertThat(Arrays.equals(Arrays.copyOf(all, first.length), first)).isTrue();
            assertThat(Arrays.equals(Arrays.copyOfRange(all, first.length, all.length), second)).isTrue();
        } finally {
            run(other::close);
        }
    }

    @Test
    void objectsBeyondTheCopyPartLimitAreMovedByMultipartCopy() throws Exception {
        // The same code path as a layer over 5 GiB, with the limit lowered to 11 MiB.
        BlobDriver small = run(() -> S3Driver.start(vertx, settings(bucket.endpoint()), 11L * MIB));
        try {
            long size = 30L * MIB + 7;
            run(() -> small.openForAppend("huge/upload", 0)
                    .compose(s -> GeneratedStream.of(context, 40, size).pipeTo(s)));
            run(() -> small.move("huge/upload", "huge/blob"));
            assertThat(run(() -> small.size("huge/blob"))).isEqualTo(size);
            String digest = run(() -> small.read("huge/blob", 0, size).compose(this::digest));
            assertThat(digest).isEqualTo(GeneratedStream.digest(40, size));
        } finally {
            run(small::close);
        }
    }

    @Test
    void transientServerErrorsAreRetried() throws Exception {
        int port = Integer.parseInt(bucket.endpoint().substring(bucket.endpoint().lastIndexOf(':') + 1));
        FlakyS3Endpoint flaky = run(() -> FlakyS3Endpoint.start(vertx, port, 3));
        BlobDriver throughFlaky = run(() -> S3Driver.start(vertx, settings(flaky.endpoint())));
        try {
            long first = 6L * MIB + 11;
            long second = 300_000;
            run(() -> throughFlaky.openForAppend("flaky/upload", 0)
                    .compose(s -> GeneratedStream.of(context, 60, first).pipeTo(s)));
            run(() -> throughFlaky.openForAppend("flaky/upload", first)
                    .compose(s -> GeneratedStream.of(context, 61, second).pipeTo(s)));
            run(() -> throughFlaky.move("flaky/upload", "flaky/blob"));
            byte[] back = read("flaky/blob", first - 5, 10);
            assertThat(Arrays.copyOf(back, 5))
                    .isEqualTo(Arrays.copyOfRange(GeneratedStream.bytes(60, (int) first), (int) first - 5, (int) first));
            assertThat(Arrays.copyOfRange(back, 5, 10)).isEqualTo(Arrays.copyOf(GeneratedStream.bytes(61, 5), 5));
            assertThat(run(() -> throughFlaky.size("flaky/blob"))).isEqualTo(first + second);
            assertThat(flaky.refused()).as("requests answered 503").isGreaterThan(3);
        } finally {
            run(throughFlaky::close);
            run(flaky::close);
        }
    }

    @Test
    void deletingAnUploadAbortsItsUnfinishedMultipartUploads() throws Exception {
        S3Operations s3 = S3Operations.create(vertx, settings(bucket.endpoint()));
        try {
            // More than a part, never ended: one part is already uploaded to a pending multipart upload.
            WriteStream<Buffer> stream = run(() -> driver.openForAppend("abandoned/u/data", 0));
            run(() -> stream.write(Buffer.buffer(GeneratedStream.bytes(50, S3Settings.MIN_PART_SIZE + 10))));
            assertThat(run(() -> s3.onWorker(() -> s3.uploadsUnder("abandoned/")))).hasSize(1);

            run(() -> driver.delete("abandoned/u"));
            assertThat(run(() -> s3.onWorker(() -> s3.uploadsUnder("abandoned/")))).isEmpty();
            assertThat(run(() -> s3.onWorker(() -> s3.list("abandoned/")))).isEmpty();
        } finally {
            s3.close();
        }
    }
}
