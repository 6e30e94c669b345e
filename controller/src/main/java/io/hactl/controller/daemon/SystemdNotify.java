package io.hactl.controller.daemon;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.hactl.sync.sys.LibC;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's notify protocol (sd_notify(3)) without libsystemd: datagrams such as "READY=1" to the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a leading '@' means the abstract namespace). Does
 * nothing when not started by systemd with Type=notify.
 */
public final class SystemdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;

    private final String socket;
    private final Duration watchdog;

    SystemdNotify(String socket, Duration watchdog) {
        this.socket = socket;
        this.watchdog = watchdog;
    }

    /** From $NOTIFY_SOCKET and $WATCHDOG_USEC (ignored when $WATCHDOG_PID names another process). */
    public static SystemdNotify fromEnvironment() {
        String sock = System.getenv("NOTIFY_SOCKET");
        Duration wd = null;
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (usec != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            try {
                wd = Duration.ofNanos(Long.parseLong(usec) * 1000);
            } catch (NumberFormatException e) {
                LOG.warn("ignoring WATCHDOG_USEC={}", usec);
            }
        }
        return new SystemdNotify(sock == null || sock.isEmpty() ? null : sock, wd);
    }

    public boolean enabled() {
        return socket != null;
    }

    /** The watchdog interval systemd expects pings within, or null. */
    public Duration watchdog() {
        return watchdog;
    }

    /** Sends one notification, e.g. "READY=1\nSTATUS=...". Returns whether it was sent. */
    public boolean send(String state) {
        if (socket == null) {
            return false;
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length >= 108) {
            LOG.warn("NOTIFY_SOCKET path too long: {}", socket);
            return false;
        }
        byte[] addr = new byte[2 + path.length + (socket.startsWith("@") ? 0 : 1)];
        addr[0] = (byte) AF_UNIX; // sa_family, little-endian u16
        System.arraycopy(path, 0, addr, 2, path.length);
        if (socket.startsWith("@")) {
            addr[2] = 0; // abstract namespace
        }
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        int fd = -1;
        try {
            fd = LibC.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            LibC.sendto(fd, msg, new NativeLong(msg.length), 0, addr, addr.length);
            return true;
        } catch (LastErrorException e) {
            LOG.warn("cannot notify systemd on {}: errno {}", socket, e.getErrorCode());
            return false;
        } finally {
            if (fd >= 0) {
                try {
                    LibC.close(fd);
                } catch (LastErrorException ignored) {
                    // gone anyway
                }
            }
        }
    }
}
