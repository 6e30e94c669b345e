package io.hactl.sync.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The names of the engine's own event counters (those it counts itself, beside the sync link's
 * in {@code SyncStats} and the drops per reason). Every one is reported from the start, zero
 * included, so {@code hactl stats} and the metrics list the same set whatever happened; a counter
 * the engine counts is added here (a test reads the engine's sources to hold the two in step).
 *
 * <p>An instance holds one engine's counts; any thread may count and read.
 */
public final class EngineCounters {
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    EngineCounters() {
        NAMES.forEach(n -> counts.put(n, new AtomicLong()));
    }

    public static final List<String> NAMES = List.of(
            "kernel_events",            // conntrack events from the kernel taken in
            "kernel_events_own",        // events our own writes caused: not sent again
            "kernel_events_filtered",   // events the filter left out
            "kernel_event_overruns",    // netlink overruns (ENOBUFS): events lost, a resync follows
            "internal_cache_refused",   // flows refused by a full internal cache
            "external_cache_refused",   // flows refused by a full external cache
            "bulks_sent",
            "bulks_unclean",            // bulks from the peer that had losses
            "external_stale_removed",   // external flows a clean bulk no longer carried
            "handovers_sent",
            "handovers_received",
            "injected",                 // flows written by warm standby (direct-inject)
            "inject_errors",            // warm-standby writes that failed in part or whole: a reconcile follows
            "reconciled",               // flows warm standby wrote to reconcile the kernel with the external cache
            "resyncs_from_kernel",
            "peer_flows_adopted",       // the peer's flows a new MASTER took into its internal cache as the kernel held them
            "resync_timeout_only",      // flows a resync from the kernel found changed in their timeout only: not announced
            "kernel_events_of_peer",    // events for flows written from the peer's cache, not claimed
            "kernel_flows_of_peer_at_start", // the peer's flows (owner mark) found in the kernel at start
            "purges_run",               // purges that ran on BACKUP / FAULT
            "purges_skipped",           // purges due on a node that is or may be MASTER: not run
            "purges_cancelled",         // scheduled purges a commit or flush cancelled
            "purges_redecided",         // purges held back by the peer's return until its next clean bulk
            "purges_failed",
            "purged",                   // the peer's flows deleted from the kernel by a purge
            "kernel_write_failed");     // flows a commit could not write; by errno as kernel_write_ERRNO

    void count(String name) {
        count(name, 1);
    }

    /** Adds {@code n}; a name outside {@link #NAMES} (kernel_write_ERRNO) appears at its first count. */
    void count(String name, long n) {
        counts.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
    }

    long get(String name) {
        AtomicLong n = counts.get(name);
        return n == null ? 0 : n.get();
    }

    /** Copies every count into {@code into}. */
    void copyTo(Map<String, Long> into) {
        counts.forEach((k, v) -> into.put(k, v.get()));
    }
}
