package dev.berth.kit.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * PEM text for the token signing keys: EC P-256, private keys as PKCS#8 ({@code PRIVATE KEY}),
 * public keys as SubjectPublicKeyInfo ({@code PUBLIC KEY}) — what {@code openssl} writes and reads.
 */
public final class PemKeys {

    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private PemKeys() {
    }

    public static String privateKeyPem(ECPrivateKey key) {
        return pem(PRIVATE, key.getEncoded());
    }

    public static String publicKeyPem(ECPublicKey key) {
        return pem(PUBLIC, key.getEncoded());
    }

    public static ECPrivateKey readPrivateKey(String pem) {
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der(pem, PRIVATE)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an EC private key in PKCS#8 PEM: " + e.getMessage(), e);
        }
    }

    public static ECPublicKey readPublicKey(String pem) {
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der(pem, PUBLIC)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an EC public key in PEM: " + e.getMessage(), e);
        }
    }

    /** The {@code kid} of tokens signed by this key pair: its RFC 7638 JWK thumbprint. */
    public static String keyId(ECPublicKey key) {
        try {
            return new ECKey.Builder(Curve.P_256, key).build().computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot compute the key thumbprint", e);
        }
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static byte[] der(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("expected a PEM block '" + begin + "'");
        }
        String body = pem.substring(from + begin.length(), to).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM block '" + label + "' is not valid base64", e);
        }
    }
}
