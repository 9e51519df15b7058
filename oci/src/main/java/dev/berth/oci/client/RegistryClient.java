package dev.berth.oci.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.ContentMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Descriptor.Platform;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * Pulls from any registry that speaks the OCI distribution spec: manifests (OCI and Docker schema 2,
 * indexes resolved to one platform) and blobs streamed to files, every byte checked against its digest.
 * Handles Bearer token and Basic auth challenges.
 * <p>
 * Blocking (java.net.http): call it from worker threads. Thread-safe; share one per process.
 */
public final class RegistryClient {

    /** The distribution reference implementation refuses manifests above 4 MiB; so do we. */
    public static final int MAX_MANIFEST_BYTES = 4 << 20;
    /** Blobs read into memory (configs) are capped; layers go to files. */
    public static final int MAX_INLINE_BLOB_BYTES = 16 << 20;

    private static final String ACCEPT = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_INDEX_DEPTH = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final RegistryAuth auth;
    private final Predicate<String> plainHttp;
    private final Platform platform;
    private final Duration timeout;
    private final String userAgent;

    private RegistryClient(Builder b) {
        HttpClient.Builder http = HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                // Redirects are followed by hand so credentials never follow a blob to another host.
                .followRedirects(HttpClient.Redirect.NEVER);
        if (b.sslContext != null) {
            http.sslContext(b.sslContext);
        }
        this.http = http.build();
        this.auth = new RegistryAuth(this.http, b.credentials, b.requestTimeout, b.userAgent);
        this.plainHttp = b.plainHttp;
        this.platform = b.platform;
        this.timeout = b.requestTimeout;
        this.userAgent = b.userAgent;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The platform {@link #resolve} picks from an index. */
    public Platform platform() {
        return platform;
    }

    /**
     * Fetches the manifest or index the reference names (its digest if it has one, else its tag).
     *
     * @throws dev.berth.oci.InvalidManifestException (unchecked) when the registry serves something
     *                                                 that is not a valid manifest
     */
    public FetchedManifest fetchManifest(ImageReference ref) throws IOException {
        HttpResponse<InputStream> response = send(ref, "manifests/" + ref.manifestReference(), "Accept", ACCEPT);
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw failure(response, "manifest " + ref);
            }
            byte[] bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes.length > MAX_MANIFEST_BYTES) {
                throw new RegistryException(200, "SIZE_INVALID", "manifest " + ref + " is larger than 4 MiB");
            }
            String announced = response.headers().firstValue("Docker-Content-Digest").orElse(null);
            String algorithm = ref.digest() != null ? ref.digest().algorithm()
                    : announced != null && Digest.isValid(announced) ? Digest.parse(announced).algorithm()
                    : "sha256";
            Digest digest = Digest.of(algorithm, bytes);
            if (ref.digest() != null && !ref.digest().equals(digest)) {
                throw new ContentMismatchException("manifest " + ref + " has digest " + digest);
            }
            if (announced != null && Digest.isValid(announced) && announced.startsWith(algorithm + ":")
                    && !Digest.parse(announced).equals(digest)) {
                throw new ContentMismatchException(
                        "manifest " + ref + " has digest " + digest + " but the registry says " + announced);
            }
            String contentType = response.headers().firstValue("Content-Type").orElse(null);
            Manifest manifest = ManifestParser.parse(bytes, contentType);
            return new FetchedManifest(digest, bytes, manifest);
        }
    }

    /**
     * Resolves a reference to the image manifest for {@link #platform()}: an index (or a Docker
     * manifest list) is followed to the best matching entry.
     */
    public ResolvedImage resolve(ImageReference ref) throws IOException {
        FetchedManifest top = fetchManifest(ref);
        FetchedManifest current = top;
        for (int depth = 0; current.manifest().isIndex(); depth++) {
            if (depth == MAX_INDEX_DEPTH) {
                throw new RegistryException(0, null, ref + ": indexes nested deeper than " + MAX_INDEX_DEPTH);
            }
            List<Descriptor> entries = current.manifest().manifests();
            Descriptor chosen = PlatformSelector.select(entries, platform).orElseThrow(() -> new RegistryException(
                    0, null, ref + " has no image for " + PlatformSelector.format(platform)
                    + "; it offers: " + PlatformSelector.describe(entries)));
            current = fetchManifest(ref.withDigest(chosen.digest()));
            if (current.bytes().length != chosen.size()) {
                throw new ContentMismatchException("manifest " + chosen.digest() + " is " + current.bytes().length
                        + " bytes, the index says " + chosen.size());
            }
        }
        return new ResolvedImage(ref, top.digest(), current);
    }

    /** Fetches and parses the image configuration an image manifest points to. */
    public ImageConfig fetchConfig(ImageReference ref, Manifest manifest) throws IOException {
        if (manifest.config() == null) {
            throw new IllegalArgumentException("an index has no config; resolve it to an image first");
        }
        return ImageConfig.parse(fetchBlobBytes(ref, manifest.config()));
    }

    /** A small blob (a config, a signature) into memory, verified; at most {@link #MAX_INLINE_BLOB_BYTES}. */
    public byte[] fetchBlobBytes(ImageReference ref, Descriptor blob) throws IOException {
        if (blob.size() > MAX_INLINE_BLOB_BYTES) {
            throw new IllegalArgumentException("blob " + blob.digest() + " is too large to hold in memory");
        }
        HttpResponse<InputStream> response = sendForBlob(ref, blob);
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes((int) blob.size() + 1);
            if (bytes.length != blob.size()) {
                throw sizeMismatch(blob, bytes.length);
            }
            Digest actual = Digest.of(blob.digest().algorithm(), bytes);
            if (!actual.equals(blob.digest())) {
                throw new ContentMismatchException("blob " + blob.digest() + " arrived with digest " + actual);
            }
            return bytes;
        }
    }

    /**
     * Streams a blob to {@code target}, checking size and digest as it arrives. The bytes land in a
     * temporary file beside the target, which is moved into place only once verified; on any failure
     * it is deleted, so {@code target} never holds unverified content.
     */
    public void fetchBlob(ImageReference ref, Descriptor blob, Path target) throws IOException {
        fetchBlob(ref, blob, target, done -> { });
    }

    /**
     * Like {@link #fetchBlob(ImageReference, Descriptor, Path)}, telling {@code progress} the bytes
     * received so far after each read (on the calling thread).
     */
    public void fetchBlob(ImageReference ref, Descriptor blob, Path target, LongConsumer progress) throws IOException {
        HttpResponse<InputStream> response = sendForBlob(ref, blob);
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial-" + UUID.randomUUID());
        try (InputStream body = response.body()) {
            Digester digester = Digester.of(blob.digest().algorithm());
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(partial)) {
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    if (digester.length() + n > blob.size()) {
                        throw sizeMismatch(blob, digester.length() + n);
                    }
                    digester.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    progress.accept(digester.length());
                }
            }
            if (digester.length() != blob.size()) {
                throw sizeMismatch(blob, digester.length());
            }
            Digest actual = digester.digest();
            if (!actual.equals(blob.digest())) {
                throw new ContentMismatchException("blob " + blob.digest() + " arrived with digest " + actual);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
    }

    private HttpResponse<InputStream> sendForBlob(ImageReference ref, Descriptor blob) throws IOException {
        HttpResponse<InputStream> response = send(ref, "blobs/" + blob.digest(), "Accept", "*/*");
        if (response.statusCode() != 200) {
            try (InputStream ignored = response.body()) {
                throw failure(response, "blob " + blob.digest() + " in " + ref.registry() + "/" + ref.repository());
            }
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (length >= 0 && length != blob.size()) {
            response.body().close();
            throw sizeMismatch(blob, length);
        }
        return response;
    }

    private static ContentMismatchException sizeMismatch(Descriptor blob, long seen) {
        return new ContentMismatchException("blob " + blob.digest() + " should be " + blob.size()
                + " bytes, the registry sent " + (seen > blob.size() ? "more" : seen));
    }

    /** A GET under /v2/REPO/, answering one auth challenge and following redirects. */
    private HttpResponse<InputStream> send(ImageReference ref, String path, String... headers) throws IOException {
        String scheme = plainHttp.test(ref.registry()) ? "http" : "https";
        URI uri = URI.create(scheme + "://" + ref.registry() + "/v2/" + ref.repository() + "/" + path);
        String authorization = auth.cached(ref);
        HttpResponse<InputStream> response = exchange(uri, authorization, headers);
        if (response.statusCode() == 401) {
            List<String> challenges = response.headers().allValues("WWW-Authenticate");
            response.body().close();
            String retry = auth.answer(ref, challenges, authorization);
            if (retry != null) {
                response = exchange(uri, retry, headers);
            }
            if (response.statusCode() == 401) {
                auth.forget(ref);
            }
        }
        return response;
    }

    private HttpResponse<InputStream> exchange(URI uri, String authorization, String... headers) throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .timeout(timeout)
                    .header("User-Agent", userAgent)
                    .GET();
            if ("http".equals(current.getScheme())) {
                // No h2c upgrade dance with plain-http registries; HTTP/2 stays for TLS (via ALPN).
                request.version(HttpClient.Version.HTTP_1_1);
            }
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            // Credentials only go to the registry itself, never to where it redirects a blob.
            if (authorization != null && sameOrigin(uri, current)) {
                request.header("Authorization", authorization);
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + current, e);
            }
            if (!REDIRECTS.contains(response.statusCode())) {
                return response;
            }
            response.body().close();
            String location = response.headers().firstValue("Location").orElse(null);
            if (location == null || hop == MAX_REDIRECTS) {
                throw new RegistryException(response.statusCode(), null,
                        location == null ? "redirect without Location from " + current : "too many redirects from " + uri);
            }
            URI next = current.resolve(location);
            if ("https".equals(current.getScheme()) && !"https".equals(next.getScheme())) {
                throw new RegistryException(response.statusCode(), null, "refusing redirect from https to " + next);
            }
            current = next;
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static RegistryException failure(HttpResponse<InputStream> response, String what) throws IOException {
        byte[] body = response.body().readNBytes(64 * 1024);
        String code = null;
        String message = null;
        try {
            JsonNode first = JSON.readTree(body).path("errors").path(0);
            code = first.path("code").isTextual() ? first.path("code").textValue() : null;
            message = first.path("message").isTextual() ? first.path("message").textValue() : null;
        } catch (IOException | RuntimeException notJson) {
            // Proxies and CDNs answer in HTML; the status says enough then.
        }
        return new RegistryException(response.statusCode(), code, what + ": HTTP " + response.statusCode()
                + (code == null ? "" : " " + code) + (message == null ? "" : " (" + message + ")"));
    }

    /** Settings for a {@link RegistryClient}; defaults suit pulling from loopback and public registries. */
    public static final class Builder {
        private final Map<String, Credentials> credentials = new HashMap<>();
        private Predicate<String> plainHttp = registry -> ImageReference.isLoopbackHost(ImageReference.hostOf(registry));
        private Platform platform = PlatformSelector.host();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private SSLContext sslContext;
        private String userAgent = "berth-oci";

        private Builder() {
        }

        /** Credentials for one registry ({@code host[:port]} exactly as references spell it). */
        public Builder credentials(String registry, Credentials creds) {
            credentials.put(registry, creds);
            return this;
        }

        /**
         * Which registries are spoken to in plain HTTP. By default only loopback ones
         * (127.0.0.0/8, localhost, ::1); everything else uses TLS.
         */
        public Builder plainHttp(Predicate<String> registryUsesPlainHttp) {
            this.plainHttp = registryUsesPlainHttp;
            return this;
        }

        /** The platform to pick from indexes; the host's by default. */
        public Builder platform(Platform platform) {
            this.platform = platform;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long to wait for a response's headers (not for a whole blob to arrive). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Trust settings for TLS registries, e.g. a private CA. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(this);
        }
    }
}
