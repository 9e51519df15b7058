package dev.berth.oci.client;

import dev.berth.oci.Digest;
import dev.berth.oci.InvalidDigestException;
import dev.berth.oci.Names;
import java.util.regex.Pattern;

/**
 * {@code host[:port]/repository[:tag][@digest]}. The registry host is required: there is no implied
 * docker.io, so a reference always says where it is pulled from. Without tag or digest the tag is
 * {@code latest}. When both are given the digest decides what is pulled and the tag is informational.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {

    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");

    public ImageReference {
        if (registry == null || !HOST.matcher(registry).matches()) {
            throw new IllegalArgumentException("invalid registry host: " + registry);
        }
        if (!Names.isRepository(repository)) {
            throw new IllegalArgumentException("invalid repository name: " + repository);
        }
        if (tag != null && !Names.isTag(tag)) {
            throw new IllegalArgumentException("invalid tag: " + tag);
        }
        if (tag == null && digest == null) {
            throw new IllegalArgumentException("a reference needs a tag or a digest");
        }
    }

    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (InvalidDigestException e) {
                throw new IllegalArgumentException("invalid digest in " + text + ": " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("image reference needs a registry host: " + text);
        }
        String registry = rest.substring(0, slash);
        if (!looksLikeHost(registry)) {
            throw new IllegalArgumentException(
                    "image reference must start with a registry host (\"host[:port]/\"), got " + registry);
        }
        String path = rest.substring(slash + 1);
        String tag = null;
        int colon = path.lastIndexOf(':');
        if (colon >= 0) {
            tag = path.substring(colon + 1);
            path = path.substring(0, colon);
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, path, tag, digest);
    }

    /** Like Docker: a first component with a dot, a port or named localhost is a host, not a namespace. */
    private static boolean looksLikeHost(String component) {
        return component.contains(".") || component.contains(":") || component.equals("localhost")
                || component.startsWith("[");
    }

    /** What a manifest request names: the digest when there is one, else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    public ImageReference withDigest(Digest other) {
        return new ImageReference(registry, repository, tag, other);
    }

    /** The host without its port, brackets kept off an IPv6 literal. */
    public String host() {
        return hostOf(registry);
    }

    /** Loopback registries are spoken to in plain HTTP by default, as Docker treats them as insecure. */
    public boolean isLoopback() {
        return isLoopbackHost(host());
    }

    /** {@code host[:port]} to host. */
    static String hostOf(String registry) {
        if (registry.startsWith("[")) {
            int close = registry.indexOf(']');
            return close < 0 ? registry : registry.substring(1, close);
        }
        int colon = registry.lastIndexOf(':');
        return colon < 0 ? registry : registry.substring(0, colon);
    }

    /** 127.0.0.0/8, localhost and ::1 (with or without brackets). */
    static boolean isLoopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return bare.equals("localhost") || bare.equals("::1") || bare.matches("127(?:\\.[0-9]{1,3}){3}");
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
