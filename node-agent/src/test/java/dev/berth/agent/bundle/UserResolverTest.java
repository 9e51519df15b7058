package dev.berth.agent.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.agent.bundle.UserResolver.ResolvedUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserResolverTest {

    @TempDir
    Path rootfs;
    UserResolver resolver;

    @BeforeEach
    void image() throws Exception {
        Path etc = Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), """
                root:x:0:0:root:/root:/bin/sh
                # a comment
                app:x:1000:1000::/home/app:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                broken line
                """);
        Files.writeString(etc.resolve("group"), """
                root:x:0:
                wheel:x:10:app,root
                audio:x:29:app
                app:x:1000:app
                nogroup:x:65534:
                """);
        resolver = new UserResolver(rootfs);
    }

    @Test
    void aNameTakesItsIdsAndGroupMembershipsFromTheImage() throws Exception {
        assertThat(resolver.resolve("app")).isEqualTo(new ResolvedUser(1000, 1000, List.of(10L, 29L)));
        assertThat(resolver.resolve("nobody")).isEqualTo(new ResolvedUser(65534, 65534, List.of()));
    }

    @Test
    void aUidAloneTakesThePrimaryGroupOfItsEntryOrZero() throws Exception {
        assertThat(resolver.resolve("1000")).isEqualTo(new ResolvedUser(1000, 1000, List.of(10L, 29L)));
        assertThat(resolver.resolve("4242")).isEqualTo(new ResolvedUser(4242, 0, List.of()));
    }

    @Test
    void anEmptyOrMissingUserIsRoot() throws Exception {
        assertThat(resolver.resolve(null)).isEqualTo(new ResolvedUser(0, 0, List.of(10L)));
        assertThat(resolver.resolve("")).isEqualTo(resolver.resolve("root"));
    }

    @Test
    void everyUserGroupFormResolves() throws Exception {
        assertThat(resolver.resolve("app:audio")).isEqualTo(new ResolvedUser(1000, 29, List.of()));
        assertThat(resolver.resolve("1000:29")).isEqualTo(new ResolvedUser(1000, 29, List.of()));
        assertThat(resolver.resolve("app:7")).isEqualTo(new ResolvedUser(1000, 7, List.of()));
        assertThat(resolver.resolve("5000:wheel")).isEqualTo(new ResolvedUser(5000, 10, List.of()));
    }

    @Test
    void numericIdsCoverTheWholeRangeButNotTheKernelsNoId() throws Exception {
        assertThat(resolver.resolve("4294967294:4294967294"))
                .isEqualTo(new ResolvedUser(4294967294L, 4294967294L, List.of()));
        assertThat(resolver.resolve("0:0")).isEqualTo(new ResolvedUser(0, 0, List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4294967295", "99999999999999999999", "1000:4294967295", "-1", "+1", " 1", "1 ",
            "1000:-5", "app:", ":app", "a:b:c", "ghost", "app:ghosts", "ghost:0", "ap p", "1000: 29"})
    void badOrUnknownUsersAreRefused(String user) {
        assertThatThrownBy(() -> resolver.resolve(user))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.code()).isEqualTo("INVALID_USER"))
                .hasMessageContaining(user);
    }

    @Test
    void withoutAnEtcPasswdOnlyNumericUsersWork() throws Exception {
        UserResolver bare = new UserResolver(Files.createDirectories(rootfs.resolve("bare")));
        assertThat(bare.resolve("123:456")).isEqualTo(new ResolvedUser(123, 456, List.of()));
        assertThat(bare.resolve("123")).isEqualTo(new ResolvedUser(123, 0, List.of()));
        assertThatThrownBy(() -> bare.resolve("app")).isInstanceOf(BundleException.class)
                .hasMessageContaining("no user \"app\"");
    }

    @Test
    void anEtcPasswdSymlinkIsFollowedInsideTheRootfsNeverOutOfIt() throws Exception {
        Path outside = rootfs.resolveSibling(rootfs.getFileName() + "-host");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("passwd"), "evil:x:4:4::/:/bin/sh\n");
        Path image = Files.createDirectories(rootfs.resolve("img/etc"));
        Files.writeString(Files.createDirectories(rootfs.resolve("img/data")).resolve("passwd"),
                "inside:x:77:77::/:/bin/sh\n");
        // Climbs far above the image root: inside the container .. stops at /, so this is /data/passwd.
        Files.createSymbolicLink(image.resolve("passwd"), Path.of("../../../../../../data/passwd"));
        UserResolver linked = new UserResolver(rootfs.resolve("img"));
        assertThat(linked.resolve("inside")).isEqualTo(new ResolvedUser(77, 77, List.of()));
        assertThatThrownBy(() -> linked.resolve("evil")).isInstanceOf(BundleException.class);

        Files.delete(image.resolve("passwd"));
        Files.createSymbolicLink(image.resolve("passwd"), outside.resolve("passwd").toAbsolutePath());
        // An absolute target restarts at the image root, where that path does not exist.
        assertThatThrownBy(() -> linked.resolve("evil")).isInstanceOf(BundleException.class)
                .hasMessageContaining("no user \"evil\"");
    }
}
