package dev.berth.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The few distribution-API calls the benchmark makes, over one pooled Vert.x HTTP/1.1 client.
 * Blob bodies are piped from the file on disk into the socket and counted-then-dropped on the way back.
 */
final class RegistryClient {

  private static final int FILE_READ_CHUNK = 1048576;

  private final Vertx vertx;
  private final HttpClientAgent http;

  RegistryClient(Vertx vertx, String address, int maxConnections) {
    int colon = address.lastIndexOf(':');
    this.vertx = vertx;
    this.http = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost(address.substring(0, colon))
            .setDefaultPort(Integer.parseInt(address.substring(colon + 1))).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(maxConnections));
  }

  /** A monolithic push: POST opens the upload session, one PUT ?digest= carries the whole body. */
  Future<Void> pushBlob(String repository, BlobFile blob) {
    return onEventLoop(() -> startUpload(repository)
        .compose(location -> vertx.fileSystem().open(blob.path().toString(), new OpenOptions().setRead(true))
            .compose(file -> putBody(withDigest(location, blob.digest()), blob.size(), file)
                .eventually(file::close))));
  }

  /** The same push for a tiny body built in memory (an image config of a few hundred bytes). */
  Future<Void> pushBlob(String repository, Buffer content, String digest) {
    return onEventLoop(() -> startUpload(repository)
        .compose(location -> http.request(HttpMethod.PUT, withDigest(location, digest)))
        .compose(request -> request.putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream").send(content))
        .compose(response -> expect("PUT blob", response, 201)));
  }

  Future<Boolean> blobExists(String repository, String digest) {
    return onEventLoop(() -> http.request(HttpMethod.HEAD, "/v2/" + repository + "/blobs/" + digest)
        .compose(request -> request.send())
        .compose(response -> response.end().map(v -> response.statusCode() == 200)));
  }

  /** Downloads a blob and returns how many body bytes arrived; the bytes themselves are dropped. */
  Future<Long> pullBlob(String repository, String digest) {
    AtomicLong received = new AtomicLong();
    return onEventLoop(() -> http.request(HttpMethod.GET, "/v2/" + repository + "/blobs/" + digest)
        .compose(request -> request.send())
        .compose(response -> {
          if (response.statusCode() != 200) {
            return unexpected("GET blob", response, 200);
          }
          response.handler(chunk -> received.addAndGet(chunk.length()));
          return response.end().map(v -> received.get());
        }));
  }

  Future<Void> putManifest(String repository, String reference, String mediaType, Buffer manifest) {
    return onEventLoop(() -> http.request(HttpMethod.PUT, "/v2/" + repository + "/manifests/" + reference)
        .compose(request -> request.putHeader(HttpHeaders.CONTENT_TYPE, mediaType).send(manifest))
        .compose(response -> expect("PUT manifest", response, 201)));
  }

  /**
   * Runs a call on an event loop: the main thread must not chain callbacks onto a response that may already
   * be streaming in, or body chunks arriving before the handler is set would be lost. From a non-Vert.x
   * thread each call gets a fresh context, so concurrent calls spread over the event loops.
   */
  private <T> Future<T> onEventLoop(Supplier<Future<T>> call) {
    Promise<T> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> call.get().onComplete(promise));
    return promise.future();
  }

  Future<Void> close() {
    return http.close();
  }

  private Future<String> startUpload(String repository) {
    return http.request(HttpMethod.POST, "/v2/" + repository + "/blobs/uploads/")
        .compose(request -> request.putHeader(HttpHeaders.CONTENT_LENGTH, "0").send())
        .compose(response -> {
          String location = response.getHeader(HttpHeaders.LOCATION);
          if (response.statusCode() != 202 || location == null) {
            return unexpected("POST upload", response, 202);
          }
          return response.end().map(v -> location);
        });
  }

  private Future<Void> putBody(String uri, long size, AsyncFile file) {
    file.setReadBufferSize(FILE_READ_CHUNK);
    RequestOptions put = new RequestOptions().setMethod(HttpMethod.PUT).setURI(uri)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
        .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(size));
    return http.request(put)
        .compose(request -> request.send(file))
        .compose(response -> expect("PUT blob", response, 201));
  }

  /** Location may be absolute (distribution) or a path, and may already carry a query (upload state). */
  private static String withDigest(String location, String digest) {
    URI uri = URI.create(location);
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return path + (path.contains("?") ? "&" : "?") + "digest=" + digest;
  }

  private static Future<Void> expect(String what, HttpClientResponse response, int status) {
    if (response.statusCode() != status) {
      return unexpected(what, response, status);
    }
    return response.end();
  }

  private static <T> Future<T> unexpected(String what, HttpClientResponse response, int expected) {
    return response.body().transform(body -> Future.failedFuture(new IllegalStateException(
        what + ": expected " + expected + " but got " + response.statusCode() + " "
            + (body.succeeded() ? abbreviate(body.result().toString()) : ""))));
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
