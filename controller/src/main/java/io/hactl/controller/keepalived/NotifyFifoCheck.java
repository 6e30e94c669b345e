package io.hactl.controller.keepalived;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What may be at the notify_fifo path, checked the same way by {@code hactl config check} and by
 * the daemon before it starts anything: whoever can write to the FIFO can forge keepalived's role
 * changes. Nothing there (the daemon creates the FIFO, 0600) or a FIFO that only its owner, the
 * user running hactl, may write to. A missing directory is not created, except the control
 * socket's, which the daemon makes root-only (0700) anyway.
 */
public final class NotifyFifoCheck {
    private NotifyFifoCheck() {}

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /**
     * The problems with {@code fifo}, each naming the path and the fix; empty when the daemon
     * may read it. {@code daemonMadeDir}: the directory the daemon creates itself (the control socket's).
     */
    public static List<String> problems(Path fifo, Path daemonMadeDir) {
        List<String> out = new ArrayList<>();
        Path abs = fifo.toAbsolutePath();
        int mode;
        try {
            mode = modeOf(abs);
        } catch (IOException e) {
            out.add(abs + " cannot be examined: " + e.getMessage());
            return out;
        }
        if (mode < 0) {
            Path dir = abs.getParent();
            if (!Files.isDirectory(dir) && !dir.equals(daemonMadeDir == null ? null : daemonMadeDir.toAbsolutePath())) {
                Path missing = dir;
                while (missing.getParent() != null && !Files.isDirectory(missing.getParent())) {
                    missing = missing.getParent();
                }
                out.add("directory " + dir + " does not exist" + (missing.equals(dir) ? "" : " (from " + missing + " on)")
                        + ": create it (mkdir -p -m 0755 " + dir + ") or name a FIFO in an existing directory");
            }
            return out;
        }
        if ((mode & S_IFMT) != S_IFIFO) {
            out.add(abs + " is " + kind(mode) + ", not a FIFO: remove it (hactl creates the FIFO, mode 0600)"
                    + " or name another path in role.keepalived.notify-fifo and keepalived's notify_fifo");
            return out;
        }
        if ((mode & 0022) != 0) {
            out.add(abs + " is writable by group or others (mode " + String.format("%04o", mode & 07777)
                    + "): anyone could forge keepalived's role changes; chmod go-w " + abs);
        }
        try {
            String owner = Files.getOwner(abs, LinkOption.NOFOLLOW_LINKS).getName();
            String me = System.getProperty("user.name");
            if (!owner.equals(me)) {
                out.add(abs + " belongs to " + owner + ", not to " + me + ", who runs hactl: its owner could forge"
                        + " keepalived's role changes; chown " + me + " " + abs);
            }
        } catch (IOException e) {
            out.add(abs + " cannot be examined: " + e.getMessage());
        }
        return out;
    }

    /** The problems with the configuration's notify-fifo; none when the daemon reads no FIFO. */
    public static List<String> problems(io.hactl.controller.config.HactlConfig cfg) {
        if (!"keepalived".equals(cfg.role().source()) || cfg.role().notifyFifo() == null) {
            return List.of();
        }
        return problems(cfg.role().notifyFifo(), cfg.controlSocket().toAbsolutePath().getParent());
    }

    /** Throws, naming every problem, unless {@link #problems} finds none. */
    public static void require(Path fifo, Path daemonMadeDir) throws IOException {
        List<String> p = problems(fifo, daemonMadeDir);
        if (!p.isEmpty()) {
            throw new IOException("role.keepalived.notify-fifo: " + String.join("; ", p));
        }
    }

    /** The path's st_mode, not following a link; -1 when nothing is there. */
    static int modeOf(Path p) throws IOException {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    static boolean isFifo(int mode) {
        return mode >= 0 && (mode & S_IFMT) == S_IFIFO;
    }

    private static String kind(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFREG -> "a regular file";
            case S_IFDIR -> "a directory";
            case S_IFLNK -> "a symbolic link";
            default -> "a special file";
        };
    }
}
