package dev.berth.oci.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Descriptor.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token and Basic auth against a real distribution registry, pushed to by skopeo with the same auth. */
class RegistryAuthTest {

    private static final Platform AMD64 = new Platform("linux", "amd64", null);
    /** bcrypt (cost 5) of TokenService.PASSWORD, as distribution's htpasswd auth requires. */
    private static final String BCRYPT = "$2b$05$abcdefghijklmnopqrstuuLK7U1u6pVRmL7L1BBM2aS35PSZnDXlK";

    @TempDir
    Path tmp;

    private Descriptor pushImage(String destination, String... auth) throws Exception {
        OciLayout layout = new OciLayout(tmp.resolve("layout-" + Math.abs(destination.hashCode())));
        Descriptor image = layout.image(AMD64, Map.of("file", destination));
        layout.tag("t", image);
        String[] flags = auth.length == 0 ? new String[0]
                : new String[] {"--dest-creds", TokenService.USER + ":" + TokenService.PASSWORD};
        Skopeo.push(layout.dir(), "t", destination, flags);
        return image;
    }

    @Test
    void bearerTokensAnonymouslyAndWithCredentials() throws Exception {
        try (TokenService tokens = TokenService.start(tmp);
             DistributionRegistry registry = DistributionRegistry.start(Files.createDirectories(tmp.resolve("reg")),
                     tokens.registryAuthYaml(tmp.resolve("bundle.pem")))) {
            Descriptor open = pushImage(registry.address() + "/public/app:1", "auth");
            Descriptor closed = pushImage(registry.address() + "/private/app:1", "auth");
            ImageReference publicRef = ImageReference.parse(registry.address() + "/public/app:1");
            ImageReference privateRef = ImageReference.parse(registry.address() + "/private/app:1");
            RegistryClient anonymous = RegistryClient.builder().platform(AMD64).build();
            RegistryClient alice = RegistryClient.builder().platform(AMD64)
                    .credentials(registry.address(), new Credentials(TokenService.USER, TokenService.PASSWORD))
                    .build();

            ResolvedImage pulled = anonymous.resolve(publicRef);
            int afterFirstPull = tokens.issued();
            Descriptor layer = pulled.manifest().manifest().layers().get(0);
            anonymous.fetchConfig(publicRef, pulled.manifest().manifest());
            anonymous.fetchBlob(publicRef, layer, tmp.resolve("layer"));

            assertThat(pulled.digest()).isEqualTo(open.digest());
            assertThat(tmp.resolve("layer")).exists();
            assertThat(tokens.issued()).as("the token is reused for the same repository").isEqualTo(afterFirstPull);
            assertThatThrownBy(() -> anonymous.resolve(privateRef))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401));
            assertThat(alice.resolve(privateRef).digest()).isEqualTo(closed.digest());
        }
    }

    @Test
    void basicAuthChallenge() throws Exception {
        Path htpasswd = Files.writeString(tmp.resolve("htpasswd"), TokenService.USER + ":" + BCRYPT + "\n");
        String auth = """
                  htpasswd:
                    realm: berth-test
                    path: %s
                """.formatted(htpasswd);
        try (DistributionRegistry registry = DistributionRegistry.start(Files.createDirectories(tmp.resolve("reg")),
                auth)) {
            Descriptor image = pushImage(registry.address() + "/team/app:1", "auth");
            ImageReference ref = ImageReference.parse(registry.address() + "/team/app:1");
            RegistryClient withoutCredentials = RegistryClient.builder().platform(AMD64).build();
            RegistryClient wrongPassword = RegistryClient.builder().platform(AMD64)
                    .credentials(registry.address(), new Credentials(TokenService.USER, "wrong")).build();
            RegistryClient alice = RegistryClient.builder().platform(AMD64)
                    .credentials(registry.address(), new Credentials(TokenService.USER, TokenService.PASSWORD))
                    .build();

            assertThatThrownBy(() -> withoutCredentials.resolve(ref))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessageContaining("no credentials");
            assertThatThrownBy(() -> wrongPassword.resolve(ref))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401));
            ResolvedImage pulled = alice.resolve(ref);
            assertThat(pulled.digest()).isEqualTo(image.digest());
            alice.fetchBlob(ref, pulled.manifest().manifest().layers().get(0), tmp.resolve("layer"));
            assertThat(tmp.resolve("layer")).exists();
        }
    }
}
