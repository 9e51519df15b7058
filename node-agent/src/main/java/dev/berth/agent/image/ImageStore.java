package dev.berth.agent.image;

import dev.berth.agent.rootfs.FileTrees;
import dev.berth.oci.Digest;
import dev.berth.oci.client.Credentials;
import dev.berth.oci.client.ImageReference;
import dev.berth.oci.client.RegistryClient;
import dev.berth.oci.layer.LayerLimits;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's content-addressed image store under {@code <state>/images}:
 * <pre>
 *   blobs/&lt;alg&gt;/&lt;hex&gt;    layers, configs and manifests, each stored once whatever shares it
 *   rootfs/&lt;alg&gt;/&lt;hex&gt;   each image unpacked once (named by its manifest digest); never written after
 *   meta/&lt;alg&gt;-&lt;hex&gt;.json one record per image (named by its digest): references, layers, sizes, pull time
 *   tmp/                   unpacks in progress, renamed into rootfs/ only when every layer applied
 * </pre>
 * A failed pull leaves no record, no rootfs and none of the blobs it downloaded.
 * <p>
 * Blocking (network, disk): call it from worker threads. Thread-safe; one instance per state dir.
 */
public final class ImageStore implements AutoCloseable {

    /** Configs and manifests are read into memory; larger ones are refused (the registry client caps them too). */
    static final int MAX_SMALL_BLOB = RegistryClient.MAX_INLINE_BLOB_BYTES;

    /**
     * Settings of a store.
     *
     * @param insecureRegistries {@code host:port} spoken to in plain HTTP besides loopback ones
     * @param layerLimits        caps on each layer's entries and uncompressed bytes
     * @param imagesInUse        manifest digests (or image digests) that containers use, asked on every
     *                           {@link #remove} and {@link #gc}; must not call back into the store
     */
    public record Options(Set<String> insecureRegistries, LayerLimits layerLimits, Supplier<Set<String>> imagesInUse) {
        public static final Options DEFAULT = new Options(Set.of(), LayerLimits.DEFAULT, Set::of);

        public Options {
            insecureRegistries = Set.copyOf(insecureRegistries);
        }
    }

    private final Path tmp;
    private final Path rootfsDir;
    private final BlobFiles blobs;
    private final ImageRecords records;
    private final Options options;
    private final ImagePuller puller;
    /** Guards {@link #images}, {@link #pins} and every deletion. */
    private final Object metaLock = new Object();
    private final Map<String, StoredImage> images = new HashMap<>();
    /** Blobs and rootfs trees held by pulls in progress and by bundles being made: gc and remove keep them. */
    private final Map<String, Integer> pins = new HashMap<>();
    private final Map<String, InFlightPull> inFlight = new ConcurrentHashMap<>();
    /** Held while open: two stores on one dir would wipe each other's tmp/ and race on records. */
    private FileChannel lock;

    private ImageStore(Path root, Options options) {
        this.tmp = root.resolve("tmp");
        this.rootfsDir = root.resolve("rootfs");
        this.blobs = new BlobFiles(root.resolve("blobs"));
        this.records = new ImageRecords(root.resolve("meta"));
        this.options = options;
        this.puller = new ImagePuller(this, blobs, rootfsDir, tmp, options.layerLimits(), options.insecureRegistries());
    }

    /** Opens (creating if needed) the store under {@code <stateDir>/images} and drops what a crash left half-done. */
    public static ImageStore open(Path stateDir, Options options) throws IOException {
        Path root = stateDir.resolve("images");
        for (String dir : List.of("blobs", "rootfs", "meta", "tmp")) {
            Files.createDirectories(root.resolve(dir));
        }
        FileChannel lockFile = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            lockFile.close();
            throw new IOException("the image store in " + root + " is open already (an agent or berth bundle runs on it)");
        }
        ImageStore store = new ImageStore(root, options);
        store.lock = lockFile;
        FileTrees.delete(store.tmp);
        Files.createDirectories(store.tmp);
        store.blobs.cleanPartials();
        store.records.cleanTemps();
        for (StoredImage image : store.records.loadAll()) {
            store.images.put(image.digest(), image);
        }
        return store;
    }

    /**
     * Pulls an image unless the store has it already (the registry is still asked what the reference
     * points at). Concurrent pulls of the same reference with the same user run once; later callers
     * wait for the first and get its result, and its events from when they joined.
     *
     * @param credentials for the reference's registry, or null for anonymous
     * @param listener    progress, called on a pulling thread
     */
    public StoredImage pull(String reference, Credentials credentials, Consumer<PullEvent> listener)
            throws ImageStoreException {
        ImageReference ref = parseReference(reference);
        String key = ref + "\n" + (credentials == null ? "" : credentials.username());
        InFlightPull mine = new InFlightPull();
        mine.listeners.add(listener);
        InFlightPull running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            running.listeners.add(listener);
            return running.await();
        }
        try {
            StoredImage image = puller.pull(ref, credentials, mine::emit);
            mine.result.complete(image);
            return image;
        } catch (ImageStoreException | RuntimeException e) {
            mine.result.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** Releases the store's directory for another process; the store must not be used afterwards. */
    @Override
    public void close() throws IOException {
        lock.close();
    }

    /** Every image, oldest pull first. */
    public List<StoredImage> list() {
        synchronized (metaLock) {
            List<StoredImage> out = new ArrayList<>(images.values());
            out.sort(Comparator.comparing(StoredImage::pulledAt).thenComparing(StoredImage::digest));
            return out;
        }
    }

    /** The image a reference or a digest (image or manifest digest) names. */
    public Optional<StoredImage> get(String referenceOrDigest) throws ImageStoreException {
        synchronized (metaLock) {
            return find(referenceOrDigest);
        }
    }

    /** The unpacked, read-only base rootfs of an image. */
    public Path rootfs(StoredImage image) {
        Digest d = Digest.parse(image.manifestDigest());
        return rootfsDir.resolve(d.algorithm()).resolve(d.hex());
    }

    /** The image configuration blob as pulled. */
    public byte[] config(StoredImage image) throws IOException {
        return blobs.read(image.configDigest(), MAX_SMALL_BLOB);
    }

    /** Pulls running now (joined callers not counted). */
    public int pullsInProgress() {
        return inFlight.size();
    }

    /** How many blobs this store has downloaded since it was opened (layers, not configs or manifests). */
    public long downloads() {
        return puller.downloads();
    }

    /**
     * Holds an image against {@link #remove} and {@link #gc} while a bundle is made from it; close the
     * lease when the container's own in-use entry covers it (or on failure).
     */
    public Lease lease(String referenceOrDigest) throws ImageStoreException {
        synchronized (metaLock) {
            StoredImage image = find(referenceOrDigest).orElseThrow(() -> notFound(referenceOrDigest));
            pin(List.of(image.manifestDigest()));
            return new Lease(image, rootfs(image));
        }
    }

    /** An image held by {@link #lease}. */
    public final class Lease implements AutoCloseable {
        private final StoredImage image;
        private final Path rootfs;
        private boolean closed;

        private Lease(StoredImage image, Path rootfs) {
            this.image = image;
            this.rootfs = rootfs;
        }

        public StoredImage image() {
            return image;
        }

        public Path rootfs() {
            return rootfs;
        }

        @Override
        public void close() {
            synchronized (metaLock) {
                if (!closed) {
                    closed = true;
                    unpin(List.of(image.manifestDigest()));
                }
            }
        }
    }

    /**
     * Removes a reference; the image itself goes when its last reference does, or at once when named
     * by digest. Space is freed by {@link #gc()}.
     *
     * @param force remove even while a container uses the image (its unpacked tree stays until unused)
     * @return the image as it was
     * @throws ImageStoreException {@code IMAGE_NOT_FOUND}, or {@code IMAGE_IN_USE} without force
     */
    public StoredImage remove(String referenceOrDigest, boolean force) throws ImageStoreException {
        synchronized (metaLock) {
            StoredImage image = find(referenceOrDigest).orElseThrow(() -> notFound(referenceOrDigest));
            try {
                if (!isDigest(referenceOrDigest) && image.references().size() > 1) {
                    String ref = parseReference(referenceOrDigest).toString();
                    List<String> rest = new ArrayList<>(image.references());
                    rest.remove(ref);
                    StoredImage untagged = image.withReferences(rest);
                    records.save(untagged);
                    images.put(untagged.digest(), untagged);
                    return image;
                }
                if (!force && inUse(image)) {
                    throw new ImageStoreException("IMAGE_IN_USE", "image " + referenceOrDigest + " ("
                            + image.digest() + ") is used by a container; remove the container first or force");
                }
                records.delete(image.digest());
                images.remove(image.digest());
                return image;
            } catch (IOException e) {
                throw new ImageStoreException("STORE_ERROR", "cannot update the image store: " + e.getMessage(), e);
            }
        }
    }

    /** Deletes blobs and unpacked trees that no image, no container and no pull in progress needs. */
    public GcResult gc() throws IOException {
        synchronized (metaLock) {
            Set<String> keepBlobs = new HashSet<>(pins.keySet());
            Set<String> keepRootfs = new HashSet<>(pins.keySet());
            keepRootfs.addAll(options.imagesInUse().get());
            for (StoredImage image : images.values()) {
                keepRootfs.add(image.manifestDigest());
                keepBlobs.add(image.manifestDigest());
                keepBlobs.add(image.configDigest());
                image.layers().forEach(l -> keepBlobs.add(l.digest()));
            }
            List<String> freedBlobs = new ArrayList<>();
            List<String> freedTrees = new ArrayList<>();
            long bytes = 0;
            for (String digest : blobs.all()) {
                if (!keepBlobs.contains(digest)) {
                    Path path = blobs.path(digest);
                    bytes += Files.size(path);
                    Files.delete(path);
                    freedBlobs.add(digest);
                }
            }
            try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(rootfsDir, Files::isDirectory)) {
                for (Path algorithm : algorithms) {
                    try (DirectoryStream<Path> trees = Files.newDirectoryStream(algorithm)) {
                        for (Path tree : trees) {
                            String digest = algorithm.getFileName() + ":" + tree.getFileName();
                            if (!keepRootfs.contains(digest)) {
                                bytes += FileTrees.size(tree);
                                FileTrees.delete(tree);
                                freedTrees.add(digest);
                            }
                        }
                    }
                }
            }
            return new GcResult(freedBlobs, freedTrees, bytes);
        }
    }

    /** The image with that digest if its tree is unpacked: a pull of it needs no download. */
    Optional<StoredImage> knownWithTree(String digest) {
        synchronized (metaLock) {
            StoredImage known = images.get(digest);
            return known != null && Files.isDirectory(rootfs(known)) ? Optional.of(known) : Optional.empty();
        }
    }

    /** The recorded uncompressed size of a manifest's tree, if an image has it. */
    OptionalLong unpackedSize(String manifestDigest) {
        synchronized (metaLock) {
            return images.values().stream().filter(i -> i.manifestDigest().equals(manifestDigest))
                    .mapToLong(StoredImage::unpackedSize).findFirst();
        }
    }

    /** Records the image under the reference, taking the reference away from any image that had it. */
    StoredImage commit(StoredImage image, ImageReference ref) throws ImageStoreException {
        synchronized (metaLock) {
            return commitLocked(image, ref);
        }
    }

    private StoredImage commitLocked(StoredImage image, ImageReference ref) throws ImageStoreException {
        String name = ref.toString();
        try {
            for (StoredImage other : List.copyOf(images.values())) {
                if (!other.digest().equals(image.digest()) && other.references().contains(name)) {
                    List<String> rest = new ArrayList<>(other.references());
                    rest.remove(name);
                    StoredImage untagged = other.withReferences(rest);
                    records.save(untagged);
                    images.put(untagged.digest(), untagged);
                }
            }
            StoredImage known = images.get(image.digest());
            Set<String> refs = new LinkedHashSet<>(known == null ? List.of() : known.references());
            refs.add(name);
            StoredImage updated = (known == null ? image : known).withReferences(List.copyOf(refs));
            records.save(updated);
            images.put(updated.digest(), updated);
            return updated;
        } catch (IOException e) {
            throw new ImageStoreException("STORE_ERROR", "cannot record image " + ref + ": " + e.getMessage(), e);
        }
    }

    /** After a failed pull: deletes the blobs it downloaded unless an image or another pull needs them. */
    <E extends Exception> E discard(List<String> fresh, E failure) {
        synchronized (metaLock) {
            Set<String> needed = new HashSet<>();
            for (StoredImage image : images.values()) {
                needed.add(image.manifestDigest());
                needed.add(image.configDigest());
                image.layers().forEach(l -> needed.add(l.digest()));
            }
            for (String digest : fresh) {
                if (!needed.contains(digest) && pins.getOrDefault(digest, 0) <= 1) {
                    try {
                        Files.deleteIfExists(blobs.path(digest));
                    } catch (IOException e) {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        return failure;
    }

    private Optional<StoredImage> find(String referenceOrDigest) throws ImageStoreException {
        if (isDigest(referenceOrDigest)) {
            String digest;
            try {
                digest = Digest.parse(referenceOrDigest).toString();
            } catch (IllegalArgumentException e) {
                throw new ImageStoreException("INVALID_REFERENCE", "invalid digest " + referenceOrDigest);
            }
            StoredImage direct = images.get(digest);
            if (direct != null) {
                return Optional.of(direct);
            }
            return images.values().stream().filter(i -> i.manifestDigest().equals(digest))
                    .min(Comparator.comparing(StoredImage::digest));
        }
        String name = parseReference(referenceOrDigest).toString();
        return images.values().stream().filter(i -> i.references().contains(name)).findFirst();
    }

    private boolean inUse(StoredImage image) {
        Set<String> used = options.imagesInUse().get();
        return used.contains(image.manifestDigest()) || used.contains(image.digest())
                || pins.containsKey(image.manifestDigest());
    }

    /** Holds blobs and trees against gc (and images against remove) until {@link #unpin}; counted. */
    void pin(List<String> digests) {
        synchronized (metaLock) {
            digests.forEach(d -> pins.merge(d, 1, Integer::sum));
        }
    }

    void unpin(List<String> digests) {
        synchronized (metaLock) {
            digests.forEach(d -> pins.computeIfPresent(d, (k, n) -> n == 1 ? null : n - 1));
        }
    }

    private static boolean isDigest(String text) {
        return text != null && text.matches("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    }

    private static ImageReference parseReference(String reference) throws ImageStoreException {
        try {
            return ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new ImageStoreException("INVALID_REFERENCE", e.getMessage());
        }
    }

    private static ImageStoreException notFound(String what) {
        return new ImageStoreException("IMAGE_NOT_FOUND", "no image " + what + " in the store");
    }

}
