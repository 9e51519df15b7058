package dev.berth.gateway.protect;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which IP address a request came from. The TCP peer, unless that peer is one of the configured
 * trusted proxies: then the right-most {@code X-Forwarded-For} entry that is not itself a trusted
 * proxy (entries further left were written by the client and prove nothing).
 */
public final class ClientAddress {

    private static final String KEY = "berth.client-ip";

    private static final int REMEMBERED_PEERS = 4096;

    private final List<AddressRange> trustedProxies;
    private final ConcurrentHashMap<String, String> normalizedPeers =
            new ConcurrentHashMap<>();

    public ClientAddress(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies.stream().map(AddressRange::parse).toList();
    }

    /** The client's IP for {@code ctx}, computed once per request. */
    public String of(RoutingContext ctx) {
        String known = ctx.get(KEY);
        if (known == null) {
            known = resolve(ctx.request().remoteAddress(), ctx.request().headers().getAll("X-Forwarded-For"));
            ctx.put(KEY, known);
        }
        return known;
    }

    String resolve(SocketAddress peer, List<String> forwardedFor) {
        String peerIp = peer == null ? "unknown" : normalizedPeer(peer.hostAddress());
        if (trustedProxies.isEmpty() || forwardedFor.isEmpty() || !trusted(peerIp)) {
            return peerIp;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) {
                hops.add(hop.trim());
            }
        }
        String nearest = peerIp;
        for (int i = hops.size() - 1; i >= 0; i--) {
            byte[] bytes = AddressRange.literal(hops.get(i));
            if (bytes == null) {
                // Garbage in the header: the last hop we could read is as far as we can trust.
                return nearest;
            }
            String hop = normalize(hops.get(i));
            if (!trusted(hop)) {
                return hop;
            }
            nearest = hop;
        }
        return nearest;
    }

    private boolean trusted(String ip) {
        byte[] bytes = AddressRange.literal(ip);
        for (AddressRange range : trustedProxies) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@link #normalize} of a TCP peer's address, remembered: every request asks it, and the peers a
     * gateway sees are few. Bounded: past {@link #REMEMBERED_PEERS} it starts over.
     */
    private String normalizedPeer(String ip) {
        String known = normalizedPeers.get(ip);
        if (known == null) {
            known = normalize(ip);
            if (normalizedPeers.size() >= REMEMBERED_PEERS) {
                normalizedPeers.clear();
            }
            normalizedPeers.put(ip, known);
        }
        return known;
    }

    /** One spelling per address ({@code ::ffff:1.2.3.4} and {@code 1.2.3.4} are one client). */
    private static String normalize(String ip) {
        byte[] bytes = AddressRange.literal(ip);
        if (bytes == null) {
            return ip;
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return ip;
        }
    }
}
