package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.engine.KernelResync.Announce;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * A resync from the kernel under way ({@link KernelResync}): when its dump began (what has not
 * been put since has vanished), whose marked flows are ours, and (the catch-up) what the commits
 * it follows wrote. Its counts are loop-owned; {@link #inFlight} is shared with the dumping thread.
 */
final class ResyncRun {
    final long stamp;
    final Standing standing;
    final Announce announce;
    /** What the commits wrote (LOCAL only), looked up by key. */
    final FlowStore written;
    final Semaphore inFlight = new Semaphore(KernelResync.CHUNKS_IN_FLIGHT);
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    long peersMarked; // dumping thread
    int skipped;
    int announced;
    int gone;
    /** Flows the dump found changed in their timeout only: not news for the peer. */
    int timeoutOnly;

    ResyncRun(long stamp, Standing standing, Announce announce, FlowStore written) {
        this.stamp = stamp;
        this.standing = standing;
        this.announce = announce;
        this.written = written;
    }
}
