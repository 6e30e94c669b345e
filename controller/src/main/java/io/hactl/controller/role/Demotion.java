package io.hactl.controller.role;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node from taking MASTER with an empty or stale table, as pfsync holds CARP back: from
 * start, and again after the peer restarted (what it did meanwhile never reached us), until a bulk
 * from the healthy peer has arrived, the node is demoted through keepalived's track_file (hactl
 * writes 1 there, keepalived multiplies it by the configured negative weight). A MASTER is never
 * demoted: it owns the flows already, and demoting it would cause the very failover it guards
 * against. The demotion is lifted when the bulk completes, or when the peer stays silent for the
 * grace period (then this node is all there is). Time is injected.
 */
public final class Demotion {
    private static final Logger LOG = LoggerFactory.getLogger(Demotion.class);

    private final String node;
    private final Path trackFile;
    private final LongSupplier nanos;
    private long startedAt;
    private final long graceNanos;
    private boolean synced;
    private Boolean written;

    /**
     * @param trackFile the track_file keepalived reads, or null when none is configured
     * @param grace     how long a silent peer is waited for before giving up the demotion
     */
    public Demotion(String node, Path trackFile, LongSupplier nanos, java.time.Duration grace) {
        this.node = node;
        this.trackFile = trackFile;
        this.nanos = nanos;
        this.startedAt = nanos.getAsLong();
        this.graceNanos = grace.toNanos();
    }

    /** The first (or a later) bulk from the peer completed: the external cache is complete. */
    public synchronized void bulkReceived() {
        synced = true;
    }

    /** The peer restarted: our copy of its flows may be stale until its next bulk arrives. */
    public synchronized void peerRestarted() {
        synced = false;
        startedAt = nanos.getAsLong();
    }

    /** Re-evaluates and writes the track file when the verdict changed; returns whether demoted. */
    public synchronized boolean update(boolean peerAlive) {
        return update(peerAlive, false);
    }

    /** As {@link #update(boolean)}, knowing whether this node is MASTER (never demoted then). */
    public synchronized boolean update(boolean peerAlive, boolean master) {
        boolean graceOver = nanos.getAsLong() - startedAt >= graceNanos;
        boolean demoted = !master && !synced && (peerAlive || !graceOver);
        if (written == null || written != demoted) {
            write(demoted);
            if (written != null || demoted) {
                LOG.info("{}: {}", node, demoted ? "DEMOTED until the bulk resync from the peer completes"
                        : synced ? "demotion lifted: caches in sync with the peer" : "demotion lifted: the peer is silent");
            }
            written = demoted;
        }
        return demoted;
    }

    public synchronized boolean demoted() {
        return written != null && written;
    }

    private void write(boolean demoted) {
        if (trackFile == null) {
            return;
        }
        try {
            Path tmp = trackFile.resolveSibling(trackFile.getFileName() + ".tmp");
            Files.writeString(tmp, demoted ? "1\n" : "0\n", StandardCharsets.US_ASCII);
            Files.move(tmp, trackFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.error("{}: cannot write track file {}: {}", node, trackFile, e.getMessage());
        }
    }
}
