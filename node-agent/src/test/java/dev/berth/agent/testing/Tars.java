package dev.berth.agent.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Layer tars, honest or hostile: names are written exactly as given ("../x", "/etc/x"). */
public final class Tars {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    public Tars() {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public Tars file(String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        return entry(name, TarConstants.LF_NORMAL, 0644, data, null);
    }

    public Tars dir(String name) {
        return entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, 0755, new byte[0], null);
    }

    public Tars symlink(String name, String target) {
        return entry(name, TarConstants.LF_SYMLINK, 0777, new byte[0], target);
    }

    public Tars hardlink(String name, String target) {
        return entry(name, TarConstants.LF_LINK, 0644, new byte[0], target);
    }

    /** {@code count} empty files. */
    public Tars files(String prefix, int count) {
        for (int i = 0; i < count; i++) {
            file(prefix + i, "");
        }
        return this;
    }

    /** One file of {@code size} zero bytes: compresses to almost nothing. */
    public Tars zeros(String name, int size) {
        return entry(name, TarConstants.LF_NORMAL, 0644, new byte[size], null);
    }

    private Tars entry(String name, byte type, int mode, byte[] data, String link) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setMode(mode);
            e.setSize(data.length);
            if (link != null) {
                e.setLinkName(link);
            }
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] build() {
        try {
            tar.finish();
            tar.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
