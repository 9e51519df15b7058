package dev.berth.registry.storage;

import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Content-addressed blob storage over a {@link BlobDriver}: blobs live at
 * {@code blobs/<algorithm>/<first two hex>/<hex>}, uploads in progress at {@code uploads/<id>/data}.
 * A finished upload is moved to its digest's path; a blob that is already there is not written twice.
 */
public final class BlobStore {

    private final BlobDriver driver;

    public BlobStore(BlobDriver driver) {
        this.driver = driver;
    }

    public BlobDriver driver() {
        return driver;
    }

    static String blobPath(Digest digest) {
        return "blobs/" + digest.algorithm() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    static String uploadPath(UUID upload) {
        return "uploads/" + upload + "/data";
    }

    public Future<WriteStream<Buffer>> openUpload(UUID upload, long offset) {
        return driver.openForAppend(uploadPath(upload), offset);
    }

    public Future<Long> uploadSize(UUID upload) {
        return driver.size(uploadPath(upload));
    }

    /** Computes the digest of an upload's bytes by reading them back (a session resumed elsewhere). */
    public Future<Digest> digestUpload(UUID upload, String algorithm, long size) {
        return driver.read(uploadPath(upload), 0, size).compose(stream -> {
            Digester digester = Digester.of(algorithm);
            Promise<Digest> done = Promise.promise();
            stream.handler(digester::update);
            stream.exceptionHandler(done::tryFail);
            stream.endHandler(v -> done.tryComplete(digester.digest()));
            return done.future();
        });
    }

    /** Moves a verified upload into place under its digest. */
    public Future<Void> commitUpload(UUID upload, Digest digest) {
        String target = blobPath(digest);
        return driver.size(target)
                .compose(existing -> driver.delete("uploads/" + upload),
                        missing -> driver.move(uploadPath(upload), target)
                                .compose(v -> driver.delete("uploads/" + upload)));
    }

    public Future<Void> deleteUpload(UUID upload) {
        return driver.delete("uploads/" + upload);
    }

    /** Deletes a blob's bytes (garbage collection); absent is not an error. */
    public Future<Void> deleteBlob(Digest digest) {
        return driver.delete(blobPath(digest));
    }

    public Future<ReadStream<Buffer>> read(Digest digest, long offset, long length) {
        return driver.read(blobPath(digest), offset, length);
    }

    public Future<Long> size(Digest digest) {
        return driver.size(blobPath(digest));
    }

    /** Where a client may fetch the blob directly, or null when the registry serves it. */
    public Future<String> pullRedirect(Digest digest) {
        return driver.redirectUrl(blobPath(digest));
    }

    public Path localFile(Digest digest) {
        return driver.localFile(blobPath(digest));
    }
}
