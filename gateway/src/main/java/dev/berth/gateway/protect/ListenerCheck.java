package dev.berth.gateway.protect;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Refuses plain HTTP on an address other machines can reach: registry credentials and tokens
 * would cross the network in clear text. Loopback stays plain for development (docker treats
 * 127.0.0.0/8 as an insecure registry); anything else needs TLS or an explicit opt-out.
 */
public final class ListenerCheck {

    private ListenerCheck() {
    }

    /** Throws when {@code host} is not loopback, TLS is off and plain HTTP was not allowed. May use DNS. */
    public static void requireSafe(String host, ProtectionConfig config) {
        if (config.tls() != null || config.allowPlainHttp() || isLoopback(host)) {
            return;
        }
        throw new IllegalArgumentException("refusing plain HTTP on " + host + ", which is not a loopback address:"
                + " configure " + ProtectionConfig.TLS_CERT_FILE + " and " + ProtectionConfig.TLS_KEY_FILE
                + ", or set " + ProtectionConfig.ALLOW_PLAIN_HTTP + ": true (e.g. behind a TLS-terminating proxy)");
    }

    static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress address : all) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
