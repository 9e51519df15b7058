package dev.berth.agent.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Resolves an image's {@code User} ({@code user}, {@code uid}, {@code user:group}, {@code uid:gid},
 * {@code user:gid}, {@code uid:group}) against the image's own {@code /etc/passwd} and {@code /etc/group}.
 * <p>
 * Numeric ids are taken verbatim (0 to 2^32-2; 2^32-1 is the kernel's "no id"). Without a group the
 * user's primary group from {@code /etc/passwd} applies (0 for a uid that has no entry) and its
 * memberships in {@code /etc/group} become the additional gids, as config.md describes.
 */
public final class UserResolver {

    /** A resolved {@code process.user}. */
    public record ResolvedUser(long uid, long gid, List<Long> additionalGids) {
        public ResolvedUser {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    static final long MAX_ID = 4_294_967_294L;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");
    private static final int MAX_FILE_BYTES = 4 << 20;

    private record PasswdEntry(String name, long uid, long gid) {
    }

    private final Path rootfs;

    public UserResolver(Path rootfs) {
        this.rootfs = rootfs;
    }

    /** @param user the image's or the caller's value; null or empty means root */
    public ResolvedUser resolve(String user) throws BundleException {
        String text = user == null || user.isEmpty() ? "0" : user;
        String userPart = text;
        String groupPart = null;
        int colon = text.indexOf(':');
        if (colon >= 0) {
            userPart = text.substring(0, colon);
            groupPart = text.substring(colon + 1);
            if (groupPart.isEmpty() || groupPart.indexOf(':') >= 0) {
                throw invalid(user, "expected user[:group]");
            }
        }
        if (userPart.isEmpty()) {
            throw invalid(user, "the user part is empty");
        }
        try {
            PasswdEntry entry;
            long uid;
            if (looksNumeric(userPart)) {
                uid = id(userPart, user);
                entry = passwd().stream().filter(e -> e.uid() == uid).findFirst().orElse(null);
            } else {
                checkName(userPart, user);
                String name = userPart;
                entry = passwd().stream().filter(e -> e.name().equals(name)).findFirst()
                        .orElseThrow(() -> invalid(user, "no user \"" + name + "\" in the image's /etc/passwd"));
                uid = entry.uid();
            }
            if (groupPart != null) {
                long gid = looksNumeric(groupPart) ? id(groupPart, user) : groupId(groupPart, user);
                return new ResolvedUser(uid, gid, List.of());
            }
            long gid = entry == null ? 0 : entry.gid();
            List<Long> additional = entry == null ? List.of() : memberships(entry.name(), gid);
            return new ResolvedUser(uid, gid, additional);
        } catch (IOException e) {
            throw new BundleException("INVALID_USER", "cannot read users of the image: " + e.getMessage(), e);
        }
    }

    private static boolean looksNumeric(String part) {
        return !part.isEmpty() && part.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long id(String part, String user) throws BundleException {
        if (!DIGITS.matcher(part).matches()) {
            throw invalid(user, part + " is out of range 0.." + MAX_ID);
        }
        long value = Long.parseLong(part);
        if (value > MAX_ID) {
            throw invalid(user, part + " is out of range 0.." + MAX_ID);
        }
        return value;
    }

    private static void checkName(String name, String user) throws BundleException {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '/' || c == ',') {
                throw invalid(user, "a user or group name cannot contain spaces, control characters, '/' or ','");
            }
        }
    }

    private long groupId(String name, String user) throws IOException, BundleException {
        checkName(name, user);
        for (String[] fields : lines("/etc/group")) {
            if (fields.length >= 3 && fields[0].equals(name) && DIGITS.matcher(fields[2]).matches()) {
                long gid = Long.parseLong(fields[2]);
                if (gid <= MAX_ID) {
                    return gid;
                }
            }
        }
        throw invalid(user, "no group \"" + name + "\" in the image's /etc/group");
    }

    private List<Long> memberships(String userName, long primaryGid) throws IOException {
        Set<Long> gids = new LinkedHashSet<>();
        for (String[] fields : lines("/etc/group")) {
            if (fields.length < 4 || !DIGITS.matcher(fields[2]).matches()) {
                continue;
            }
            long gid = Long.parseLong(fields[2]);
            if (gid > MAX_ID || gid == primaryGid) {
                continue;
            }
            for (String member : fields[3].split(",")) {
                if (member.trim().equals(userName)) {
                    gids.add(gid);
                }
            }
        }
        return new ArrayList<>(gids);
    }

    private List<PasswdEntry> passwd() throws IOException {
        List<PasswdEntry> entries = new ArrayList<>();
        for (String[] fields : lines("/etc/passwd")) {
            if (fields.length >= 4 && DIGITS.matcher(fields[2]).matches() && DIGITS.matcher(fields[3]).matches()) {
                long uid = Long.parseLong(fields[2]);
                long gid = Long.parseLong(fields[3]);
                if (uid <= MAX_ID && gid <= MAX_ID) {
                    entries.add(new PasswdEntry(fields[0], uid, gid));
                }
            }
        }
        return entries;
    }

    /** The colon-separated lines of a file in the image; malformed lines are skipped like libc does. */
    private List<String[]> lines(String file) throws IOException {
        Optional<String> text = RootfsFiles.readSmallFile(rootfs, file, MAX_FILE_BYTES);
        List<String[]> out = new ArrayList<>();
        if (text.isEmpty()) {
            return out;
        }
        for (String line : text.get().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            out.add(line.split(":", -1));
        }
        return out;
    }

    private static BundleException invalid(String user, String why) {
        return new BundleException("INVALID_USER", "invalid user \"" + user + "\": " + why);
    }
}
