package dev.berth.registry.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

class FilesystemDriverTest extends BlobDriverContract {

    private final Path root;

    FilesystemDriverTest() throws IOException {
        root = Files.createTempDirectory("berth-fs-driver-");
    }

    @Override
    protected Future<BlobDriver> openDriver(Vertx vertx) {
        return Future.succeededFuture(new FilesystemDriver(vertx, root));
    }

    @Override
    protected Map<String, String> storageSettings() {
        return Map.of("registry.storage.driver", "filesystem",
                "registry.storage.root-dir", root.resolve("probe-root").toString());
    }

    @AfterAll
    void deleteTheRoot() throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
