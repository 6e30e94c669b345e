package io.hactl.controller.keepalived;

import com.sun.jna.LastErrorException;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.sys.LibC;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads keepalived's notify_fifo: opens it (creating the FIFO if it is missing) read-write, so
 * that keepalived's restarts and shutdowns (whose STOP lines come last) never end the stream, and
 * reads lines until closed. With a sync group configured, that group's lines drive the role and INSTANCE lines are
 * only recorded; without one, the first group whose line arrives drives it, and INSTANCE lines only
 * until then. The role arrives in milliseconds: no process is started on the failover path.
 */
public final class FifoReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FifoReader.class);

    private final String node;
    private final Path fifo;
    private final BiConsumer<String, String> roleSink; // (state, source)
    private final String syncGroup;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String lastLine;
    /** Without a configured sync group: the first group a line came from (reader thread writes). */
    private volatile String drivingGroup;
    private volatile long lines;

    /** @param syncGroup the vrrp_sync_group whose lines drive the role, or null: the first group heard, else instances */
    public FifoReader(String node, Path fifo, String syncGroup, BiConsumer<String, String> roleSink) {
        this.node = node;
        this.syncGroup = syncGroup;
        this.fifo = fifo;
        this.roleSink = roleSink;
        this.thread = new Thread(this::loop, "hactl-keepalived-fifo");
        this.thread.setDaemon(true);
    }

    public void start() throws IOException {
        ensureFifo(fifo);
        thread.start();
    }

    /**
     * Creates the FIFO unless it exists, in a directory that must exist (the daemon checked it
     * with {@link NotifyFifoCheck} before starting anything). keepalived creates a missing
     * notify_fifo itself, and at boot it starts alongside hactl: one that appears between a check
     * and mkfifo is taken as it is, and checked again like any other.
     */
    static void ensureFifo(Path fifo) throws IOException {
        int mode = NotifyFifoCheck.modeOf(fifo);
        if (mode < 0) {
            try {
                LibC.mkfifo(fifo.toString(), 0600);
            } catch (LastErrorException e) {
                // EEXIST: keepalived made it meanwhile; the check below judges what is there
                if (!NotifyFifoCheck.isFifo(NotifyFifoCheck.modeOf(fifo))) {
                    throw new IOException("mkfifo " + fifo + " failed: " + Errno.describe(e.getErrorCode()));
                }
            }
        }
        NotifyFifoCheck.require(fifo, null);
    }

    private void loop() {
        while (running) {
            // read-write: the open never blocks and keepalived closing its end (a restart) is no
            // end of file, so its lines keep coming on the same descriptor; the channel is
            // interruptible, which is how close() stops a blocked read
            try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 // through an InputStream: a channel Reader waits to fill its buffer before a line comes out
                 BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                         StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                                 .onUnmappableCharacter(CodingErrorAction.REPLACE)))) {
                String line;
                while (running && (line = r.readLine()) != null) {
                    handle(line);
                }
            } catch (ClosedByInterruptException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    LOG.warn("{}: reading {} failed: {}; trying again in 1 s", node, fifo, e.getMessage());
                    // bounded pace for a FIFO that went away; close() interrupts it
                    LockSupport.parkNanos(1_000_000_000L);
                }
            }
        }
    }

    void handle(String line) {
        lines++;
        lastLine = line;
        FifoEvent e = FifoEvent.parse(line);
        if (e == null) {
            LOG.debug("{}: notify_fifo line ignored: {}", node, line);
            return;
        }
        boolean drives = drives(e);
        LOG.info("{}: keepalived {} {} {}{}", node, e.kind().name().toLowerCase(), e.name(), e.state(),
                drives ? "" : " (recorded only)");
        if (drives && e.isRoleChange()) {
            roleSink.accept(e.state(), "keepalived " + e.kind().name().toLowerCase() + " " + e.name());
        }
    }

    /**
     * Whether a line sets the role. With a sync group configured, that group's lines. Without one,
     * the lines of the first group heard from: a sync group's instances change together and its
     * lines say so at once (a notify on the vrrp_sync_group, the usual setup, writes only those),
     * while its instances pass through mixed states on the way; instance lines drive only until a
     * group line arrives, which serves a setup without sync groups.
     */
    private boolean drives(FifoEvent e) {
        switch (e.kind()) {
            case HACTL:
                return true;
            case GROUP:
                if (syncGroup != null) {
                    return e.name().equals(syncGroup);
                }
                if (drivingGroup == null) {
                    drivingGroup = e.name();
                    LOG.info("{}: keepalived group {} drives the role from now on; instance lines are only recorded"
                            + " (role.keepalived.sync-group names the group)", node, e.name());
                } else if (!drivingGroup.equals(e.name())) {
                    LOG.warn("{}: keepalived group {} is not the group {} that drives the role: set"
                            + " role.keepalived.sync-group to the one that should", node, e.name(), drivingGroup);
                }
                return e.name().equals(drivingGroup);
            default:
                return syncGroup == null && drivingGroup == null;
        }
    }

    /** The group whose lines drive the role: the configured one, else the first heard from; null before. */
    public String drivingGroup() {
        return syncGroup != null ? syncGroup : drivingGroup;
    }

    public String lastLine() {
        return lastLine;
    }

    public long lines() {
        return lines;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt(); // closes the channel a read is blocked on
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
