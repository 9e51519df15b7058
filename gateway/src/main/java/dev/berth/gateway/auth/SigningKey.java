package dev.berth.gateway.auth;

import dev.berth.kit.auth.PemKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;

/**
 * The gateway's token signing key pair (EC P-256, ES256), kept as PEM files: the private key in
 * {@code file} (mode 0600), the public key in {@code file.pub} for registries to verify with.
 */
public record SigningKey(ECPrivateKey privateKey, ECPublicKey publicKey, String keyId) {

    /** Reads the key pair, or generates and writes it when {@code file} does not exist. Blocking. */
    public static SigningKey loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            ECPrivateKey key = PemKeys.readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
            ECPublicKey pub = publicOf(key, file);
            Path pubFile = publicKeyFile(file);
            if (!Files.exists(pubFile)) {
                Files.writeString(pubFile, PemKeys.publicKeyPem(pub), StandardCharsets.US_ASCII);
            }
            return new SigningKey(key, pub, PemKeys.keyId(pub));
        }
        KeyPair pair = generate();
        ECPrivateKey key = (ECPrivateKey) pair.getPrivate();
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Written under a temporary name and moved, so a crash never leaves half a key behind.
        Path tmp = Files.createTempFile(dir, ".signing-key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, PemKeys.privateKeyPem(key), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(publicKeyFile(file), PemKeys.publicKeyPem(pub), StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new SigningKey(key, pub, PemKeys.keyId(pub));
    }

    public static Path publicKeyFile(Path privateKeyFile) {
        return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate EC P-256 keys", e);
        }
    }

    // PKCS#8 files from openssl carry the public point; ours may not, so read the .pub file.
    private static ECPublicKey publicOf(ECPrivateKey key, Path file) throws IOException {
        Path pubFile = publicKeyFile(file);
        if (Files.exists(pubFile)) {
            return PemKeys.readPublicKey(Files.readString(pubFile, StandardCharsets.US_ASCII));
        }
        try {
            return derivePublic(key);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the public key of " + file + "; put it in " + pubFile, e);
        }
    }

    private static ECPublicKey derivePublic(ECPrivateKey key) throws GeneralSecurityException {
        var point = org.bouncycastle.asn1.nist.NISTNamedCurves.getByName("P-256").getG()
                .multiply(key.getS()).normalize();
        var w = new java.security.spec.ECPoint(point.getAffineXCoord().toBigInteger(), point.getAffineYCoord().toBigInteger());
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, key.getParams()));
    }
}
