package dev.berth.registry.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Checks webhook target URLs: http or https with a host, and, unless private targets are allowed,
 * every address the host resolves to is public. Runs when a subscription is saved and again before
 * each delivery, because DNS can change in between.
 */
final class TargetGuard {

    /** A target that must not be used; the message says why. */
    static final class RefusedTarget extends Exception {
        RefusedTarget(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final boolean allowPrivate;

    TargetGuard(Vertx vertx, boolean allowPrivate) {
        this.vertx = vertx;
        this.allowPrivate = allowPrivate;
    }

    /** The URL's syntax: IllegalArgumentException saying what is wrong. */
    static URI parse(String url) {
        if (url.length() > 2048) {
            throw new IllegalArgumentException("targetUrl must be at most 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("targetUrl is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("targetUrl must use http or https, got '" + url + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("targetUrl must name a host, got '" + url + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("targetUrl must not carry credentials; use the signature to authenticate");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("targetUrl must not have a fragment");
        }
        return uri;
    }

    /** Succeeds when {@code uri} may be called now; fails with {@link RefusedTarget} otherwise. */
    Future<Void> check(URI uri) {
        if (allowPrivate) {
            return Future.succeededFuture();
        }
        String host = uri.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // Name resolution blocks: never on an event loop.
        return vertx.executeBlocking(() -> {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(bare);
            } catch (UnknownHostException e) {
                throw new RefusedTarget("target host '" + host + "' does not resolve");
            }
            for (InetAddress address : addresses) {
                if (isPrivate(address)) {
                    throw new RefusedTarget("target host '" + host + "' resolves to " + address.getHostAddress()
                            + ", a loopback, private or link-local address (set registry.webhooks.allow-private-targets"
                            + " to allow it)");
                }
            }
            return null;
        }, false);
    }

    static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            // 100.64.0.0/10 (carrier-grade NAT) and 0.0.0.0/8 reach internal networks too.
            return (b[0] & 0xff) == 0 || ((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64);
        }
        if (address instanceof Inet6Address) {
            // fc00::/7 unique local; an IPv4-mapped address is judged by its IPv4 part.
            if ((b[0] & 0xfe) == 0xfc) {
                return true;
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
