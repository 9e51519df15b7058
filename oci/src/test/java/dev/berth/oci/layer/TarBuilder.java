package dev.berth.oci.layer;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds layer tars, honest or hostile, for the unpacker tests. */
final class TarBuilder {

    static final Instant MTIME = Instant.parse("2020-02-02T02:02:02Z");

    private interface Step {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private final List<Step> steps = new ArrayList<>();

    TarBuilder file(String name, String content) {
        return file(name, content, 0644);
    }

    TarBuilder file(String name, String content, int mode) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return entry(name, TarConstants.LF_NORMAL, mode, bytes.length, null, e -> { }, out -> out.write(bytes));
    }

    TarBuilder file(String name, Path source, int mode) throws IOException {
        long size = Files.size(source);
        return entry(name, TarConstants.LF_NORMAL, mode, size, null, e -> { }, out -> {
            try (InputStream in = Files.newInputStream(source)) {
                in.transferTo(out);
            }
        });
    }

    /** A file of {@code size} zero bytes, streamed: for bombs. */
    TarBuilder zeros(String name, long size) {
        return entry(name, TarConstants.LF_NORMAL, 0644, size, null, e -> { }, out -> {
            byte[] chunk = new byte[64 * 1024];
            for (long left = size; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        });
    }

    TarBuilder owned(String name, String content, int mode, int uid, int gid) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return entry(name, TarConstants.LF_NORMAL, mode, bytes.length, null, e -> {
            e.setUserId(uid);
            e.setGroupId(gid);
        }, out -> out.write(bytes));
    }

    TarBuilder xattr(String name, String content, String xattr, String value) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return entry(name, TarConstants.LF_NORMAL, 0644, bytes.length, null,
                e -> e.addPaxHeader("SCHILY.xattr." + xattr, value), out -> out.write(bytes));
    }

    TarBuilder dir(String name) {
        return dir(name, 0755);
    }

    TarBuilder dir(String name, int mode) {
        return entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode, 0, null, e -> { }, null);
    }

    TarBuilder symlink(String name, String target) {
        return entry(name, TarConstants.LF_SYMLINK, 0777, 0, target, e -> { }, null);
    }

    TarBuilder hardlink(String name, String target) {
        return entry(name, TarConstants.LF_LINK, 0644, 0, target, e -> { }, null);
    }

    TarBuilder charDevice(String name, int major, int minor) {
        return entry(name, TarConstants.LF_CHR, 0666, 0, null, e -> {
            e.setDevMajor(major);
            e.setDevMinor(minor);
        }, null);
    }

    TarBuilder fifo(String name) {
        return entry(name, TarConstants.LF_FIFO, 0600, 0, null, e -> { }, null);
    }

    TarBuilder emptyFiles(String prefix, int count) {
        for (int i = 0; i < count; i++) {
            file(prefix + i, "");
        }
        return this;
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private interface Tweak {
        void apply(TarArchiveEntry entry);
    }

    private TarBuilder entry(String name, byte type, int mode, long size, String link, Tweak tweak, Body body) {
        steps.add(tar -> {
            // preserveAbsolutePath keeps hostile names ("/etc/x", "../x") exactly as written.
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setMode(mode);
            e.setSize(size);
            e.setModTime(FileTime.from(MTIME));
            if (link != null) {
                e.setLinkName(link);
            }
            tweak.apply(e);
            tar.putArchiveEntry(e);
            if (body != null) {
                body.write(tar);
            }
            tar.closeArchiveEntry();
        });
        return this;
    }

    void writeTo(OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Step step : steps) {
            step.write(tar);
        }
        tar.finish();
        tar.flush();
    }

    byte[] tar() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the layer compressed as asked and returns the blob's path. */
    Path writeBlob(Path blob, LayerCompression compression) throws IOException {
        try (OutputStream file = Files.newOutputStream(blob)) {
            OutputStream out = switch (compression) {
                case NONE -> file;
                case GZIP -> new GZIPOutputStream(file, 64 * 1024);
                case ZSTD -> new ZstdOutputStream(file);
            };
            writeTo(out);
            out.close();
        }
        return blob;
    }

    static final Map<LayerCompression, String> MEDIA_TYPES = Map.of(
            LayerCompression.NONE, "application/vnd.oci.image.layer.v1.tar",
            LayerCompression.GZIP, "application/vnd.oci.image.layer.v1.tar+gzip",
            LayerCompression.ZSTD, "application/vnd.oci.image.layer.v1.tar+zstd");
}
