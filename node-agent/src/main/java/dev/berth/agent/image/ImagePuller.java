package dev.berth.agent.image;

import dev.berth.agent.rootfs.FileTrees;
import dev.berth.oci.ContentMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.InvalidManifestException;
import dev.berth.oci.Manifest;
import dev.berth.oci.client.Credentials;
import dev.berth.oci.client.ImageReference;
import dev.berth.oci.client.RegistryClient;
import dev.berth.oci.client.RegistryException;
import dev.berth.oci.client.ResolvedImage;
import dev.berth.oci.layer.LayerLimits;
import dev.berth.oci.layer.LayerUnpacker;
import dev.berth.oci.layer.UnsafeLayerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One pull's mechanics for {@link ImageStore}: resolve, fetch the config, download missing layers into
 * the blob store, unpack the image once into tmp/ and rename it into rootfs/, then hand the record to
 * the store. A failure is mapped to an {@link ImageStoreException} and the blobs it fetched are dropped.
 */
final class ImagePuller {

    private static final long PROGRESS_STEP = 1 << 20;

    private final ImageStore store;
    private final BlobFiles blobs;
    private final Path rootfsDir;
    private final Path tmp;
    private final LayerUnpacker unpacker;
    private final Set<String> insecureRegistries;
    private final RegistryClient anonymous;
    /** One lock per stripe of digests, so the same blob is never downloaded or unpacked twice at once. */
    private final Object[] contentLocks = new Object[64];
    private final AtomicLong downloads = new AtomicLong();

    ImagePuller(ImageStore store, BlobFiles blobs, Path rootfsDir, Path tmp, LayerLimits limits,
                Set<String> insecureRegistries) {
        this.store = store;
        this.blobs = blobs;
        this.rootfsDir = rootfsDir;
        this.tmp = tmp;
        this.unpacker = new LayerUnpacker(limits);
        this.insecureRegistries = insecureRegistries;
        this.anonymous = client(null, null);
        for (int i = 0; i < contentLocks.length; i++) {
            contentLocks[i] = new Object();
        }
    }

    long downloads() {
        return downloads.get();
    }

    StoredImage pull(ImageReference ref, Credentials credentials, Consumer<PullEvent> events)
            throws ImageStoreException {
        RegistryClient client = credentials == null ? anonymous : client(ref.registry(), credentials);
        ResolvedImage resolved;
        Manifest manifest;
        ImageConfig config;
        byte[] configBytes;
        try {
            resolved = client.resolve(ref);
            manifest = resolved.manifest().manifest();
            if (manifest.config() == null || manifest.layers() == null) {
                throw new ImageStoreException("INVALID_IMAGE", ref + " is not a runnable image (no config or layers)");
            }
            String digest = resolved.digest().toString();
            Optional<StoredImage> known = store.knownWithTree(digest);
            if (known.isPresent()) {
                return store.commit(known.get(), ref);
            }
            configBytes = client.fetchBlobBytes(ref, manifest.config());
            config = ImageConfig.parse(configBytes);
        } catch (RegistryException e) {
            throw new ImageStoreException(e.status() == 404 ? "IMAGE_NOT_FOUND" : "PULL_FAILED",
                    "cannot pull " + ref + ": " + e.getMessage(), e);
        } catch (ContentMismatchException e) {
            throw new ImageStoreException("INVALID_IMAGE", "cannot pull " + ref + ": " + e.getMessage(), e);
        } catch (InvalidManifestException | IllegalArgumentException e) {
            throw new ImageStoreException("INVALID_IMAGE", ref + " is not a valid image: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ImageStoreException("PULL_FAILED", "cannot pull " + ref + ": " + e.getMessage(), e);
        }
        checkConfig(ref, manifest, config, client);
        List<Descriptor> layers = manifest.layers();
        long total = layers.stream().mapToLong(Descriptor::size).sum();
        events.accept(new PullEvent(PullEvent.Kind.RESOLVED, resolved.digest().toString(), total, total));

        String manifestDigest = resolved.manifest().digest().toString();
        String configDigest = manifest.config().digest().toString();
        List<String> held = new ArrayList<>();
        held.add(manifestDigest);
        held.add(configDigest);
        layers.forEach(l -> held.add(l.digest().toString()));
        List<String> fresh = new ArrayList<>();
        store.pin(held);
        try {
            for (Descriptor layer : layers) {
                fetchLayer(client, ref, layer, events, fresh);
            }
            if (blobs.write(configDigest, configBytes)) {
                fresh.add(configDigest);
            }
            if (blobs.write(manifestDigest, resolved.manifest().bytes())) {
                fresh.add(manifestDigest);
            }
            long unpacked = unpackOnce(manifestDigest, layers, config.diffIds(), events);
            List<StoredImage.Layer> layerRecords = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                Descriptor l = layers.get(i);
                layerRecords.add(new StoredImage.Layer(l.digest().toString(), l.mediaType(), l.size(),
                        config.diffIds().get(i).toString()));
            }
            StoredImage image = new StoredImage(resolved.digest().toString(), manifestDigest, configDigest, List.of(),
                    layerRecords, total + configBytes.length, unpacked, Instant.now());
            return store.commit(image, ref);
        } catch (UnsafeLayerException e) {
            throw store.discard(fresh, new ImageStoreException("INVALID_LAYER",
                    "cannot pull " + ref + ": a layer is unsafe: " + e.getMessage(), e));
        } catch (ContentMismatchException e) {
            throw store.discard(fresh, new ImageStoreException("INVALID_LAYER", "cannot pull " + ref + ": " + e.getMessage(), e));
        } catch (RegistryException e) {
            throw store.discard(fresh, new ImageStoreException("PULL_FAILED", "cannot pull " + ref + ": " + e.getMessage(), e));
        } catch (IllegalArgumentException e) {
            throw store.discard(fresh, new ImageStoreException("INVALID_IMAGE", ref + " is not a valid image: " + e.getMessage(), e));
        } catch (IOException e) {
            throw store.discard(fresh, new ImageStoreException("PULL_FAILED", "cannot pull " + ref + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            throw store.discard(fresh, e);
        } finally {
            store.unpin(held);
        }
    }

    private void checkConfig(ImageReference ref, Manifest manifest, ImageConfig config, RegistryClient client)
            throws ImageStoreException {
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new ImageStoreException("INVALID_IMAGE", ref + ": the config lists " + config.diffIds().size()
                    + " diff_ids for " + manifest.layers().size() + " layers");
        }
        var platform = client.platform();
        if ((config.os() != null && !config.os().equals(platform.os()))
                || (config.architecture() != null && !config.architecture().equals(platform.architecture()))) {
            throw new ImageStoreException("INVALID_IMAGE", ref + " is for " + config.os() + "/" + config.architecture()
                    + ", this node runs " + platform.os() + "/" + platform.architecture());
        }
    }

    private void fetchLayer(RegistryClient client, ImageReference ref, Descriptor layer, Consumer<PullEvent> events,
                            List<String> fresh) throws IOException {
        String digest = layer.digest().toString();
        synchronized (lockFor(digest)) {
            if (blobs.exists(digest)) {
                events.accept(new PullEvent(PullEvent.Kind.ALREADY_PRESENT, digest, layer.size(), layer.size()));
                return;
            }
            downloads.incrementAndGet();
            long[] reported = {0};
            client.fetchBlob(ref, layer, blobs.prepare(digest), done -> {
                if (done - reported[0] >= PROGRESS_STEP || done == layer.size()) {
                    reported[0] = done;
                    events.accept(new PullEvent(PullEvent.Kind.DOWNLOADING, digest, done, layer.size()));
                }
            });
            fresh.add(digest);
            events.accept(new PullEvent(PullEvent.Kind.VERIFIED, digest, layer.size(), layer.size()));
        }
    }

    /** Unpacks into tmp/ and renames into rootfs/ once every layer applied; returns the uncompressed bytes. */
    private long unpackOnce(String manifestDigest, List<Descriptor> layers, List<Digest> diffIds,
                            Consumer<PullEvent> events) throws IOException {
        Digest d = Digest.parse(manifestDigest);
        Path target = rootfsDir.resolve(d.algorithm()).resolve(d.hex());
        synchronized (lockFor(manifestDigest)) {
            if (Files.isDirectory(target)) {
                OptionalLong known = store.unpackedSize(manifestDigest);
                return known.isPresent() ? known.getAsLong() : FileTrees.size(target);
            }
            Path work = tmp.resolve("unpack-" + UUID.randomUUID());
            Files.createDirectories(work);
            try {
                long bytes = 0;
                for (int i = 0; i < layers.size(); i++) {
                    Descriptor layer = layers.get(i);
                    String digest = layer.digest().toString();
                    bytes += unpacker.unpack(blobs.path(digest), layer.mediaType(), work, diffIds.get(i))
                            .uncompressedBytes();
                    events.accept(new PullEvent(PullEvent.Kind.UNPACKED, digest, layer.size(), layer.size()));
                }
                Files.createDirectories(target.getParent());
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
                return bytes;
            } finally {
                FileTrees.delete(work);
            }
        }
    }

    private RegistryClient client(String registry, Credentials credentials) {
        RegistryClient.Builder builder = RegistryClient.builder()
                .userAgent("berth-node-agent")
                .plainHttp(r -> insecureRegistries.contains(r) || isLoopback(r));
        if (credentials != null) {
            builder.credentials(registry, credentials);
        }
        return builder.build();
    }

    private Object lockFor(String digest) {
        return contentLocks[Math.floorMod(digest.hashCode(), contentLocks.length)];
    }

    private static boolean isLoopback(String registry) {
        try {
            return ImageReference.parse(registry + "/probe:latest").isLoopback();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
