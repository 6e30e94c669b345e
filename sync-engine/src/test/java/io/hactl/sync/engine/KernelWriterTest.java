package io.hactl.sync.engine;

import static io.hactl.sync.engine.EngineParts.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.Ctnl;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The commit of the external cache and direct inject, on the in-memory kernel with a clock of the test's. */
class KernelWriterTest {
    static final int N = 50;

    EngineParts parts(EngineConfig cfg) throws Exception {
        EngineParts p = new EngineParts(cfg, Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            p.external.put(flow(10, i, 0x11), p.now);
        }
        p.advance(Duration.ofMillis(1)); // the flows arrived before any commit's snapshot
        return p;
    }

    static CommitResult commit(EngineParts p, boolean changesOnly) {
        CompletableFuture<CommitResult> f = p.writer.commit(changesOnly);
        p.drain();
        assertThat(f).isDone();
        return f.join();
    }

    @Test
    void aCommitWritesEveryExternalFlowIntoTheKernelCarryingTheOwnerMark() throws Exception {
        EngineParts p = parts(EngineParts.config());
        CommitResult r = commit(p, false);
        assertThat(r.flows()).isEqualTo(N);
        assertThat(r.written()).isEqualTo(N);
        assertThat(r.ok()).isTrue();
        assertThat(r.sinceMillis()).isEqualTo(-1);
        assertThat(p.writer.lastCommit()).isSameAs(r);
        assertThat(p.kernel.flows()).hasSize(N).allSatisfy(f -> assertThat(f.mark()).isEqualTo(0x4000_0011L));
    }

    @Test
    void aCommitCancelsTheScheduledPurgeAndCatchesUpWithTheEventsItPaused() throws Exception {
        EngineParts p = parts(EngineParts.config());
        p.loop.execute(() -> p.purge.schedule("BACKUP"));
        p.drain();
        assertThat(p.purge.plan().pending()).isTrue();
        commit(p, false);
        assertThat(p.purge.plan().pending()).as("cancelled by the commit").isFalse();
        assertThat(p.counter("purges_cancelled")).isEqualTo(1);
        assertThat(p.resync.scheduled()).as("catch-up after the paused events").isTrue();
        assertThat(((io.hactl.sync.ctnetlink.FakeNetlinkSocket) p.events.socket()).groups())
                .as("events resumed").contains(Ctnl.NFNLGRP_CONNTRACK_NEW, Ctnl.NFNLGRP_CONNTRACK_UPDATE);
    }

    @Test
    void anEmptyCommitPausesNothingAndSchedulesNoCatchUp() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        CommitResult r = commit(p, false);
        assertThat(r.flows()).isZero();
        assertThat(p.resync.scheduled()).isFalse();
    }

    /**
     * After a full commit: {@code later} passes, a purge may run in between, then a commit of
     * the changes (or a full one) writes {@code flows} of which one was updated since.
     */
    static Stream<Arguments> changesOnly() {
        return Stream.of(
                Arguments.of("changes 1 s after a clean commit", true, Duration.ofSeconds(1), false, 1, N - 1),
                Arguments.of("changes 11 s after: everything", true, Duration.ofSeconds(11), false, N, 0),
                Arguments.of("changes after a purge: everything", true, Duration.ofSeconds(1), true, N, 0),
                Arguments.of("a full commit 1 s after: everything", false, Duration.ofSeconds(1), false, N, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changesOnly")
    void aCommitOfTheChangesWritesOnlyWhatChangedSinceARecentCleanCommit(String name, boolean changesOnly, Duration later,
                                                                         boolean purged, int flows, int unchanged)
            throws Exception {
        EngineParts p = parts(EngineParts.config());
        commit(p, false);
        p.advance(later);
        if (purged) {
            p.loop.execute(p.writer::kernelTouched);
        }
        p.external.put(flow(10, 7, 0x12), p.now); // one flow changed at the peer since
        CommitResult r = commit(p, changesOnly);
        assertThat(r.flows()).isEqualTo(flows);
        assertThat(r.written()).isEqualTo(flows);
        assertThat(r.unchanged()).isEqualTo(unchanged);
        assertThat(r.sinceMillis()).isEqualTo(unchanged > 0 ? later.toMillis() : -1);
        assertThat(p.kernel.get(flow(10, 7, 0).orig(), 0)).get().extracting(Flow::mark).isEqualTo(0x4000_0012L);
    }

    @Test
    void aFlowTheKernelRefusesAsUnchangeableIsDeletedAndCreatedAgain() throws Exception {
        EngineParts p = parts(EngineParts.config());
        // the kernel's entry is ASSURED; the peer's is not: an update cannot clear the bit (EBUSY)
        p.kernel.inject(flow(10, 3, 0x11));
        p.external.put(flow(10, 3, 0x11, Ctnl.IPS_SEEN_REPLY), p.now);
        CommitResult r = commit(p, false);
        assertThat(r.written()).isEqualTo(N - 1);
        assertThat(r.replaced()).isEqualTo(1);
        assertThat(r.ok()).isTrue();
        assertThat(p.kernel.get(flow(10, 3, 0).orig(), 0)).get()
                .satisfies(f -> assertThat(f.status() & Ctnl.IPS_ASSURED).isZero());
        assertThat(p.counter("kernel_write_failed")).isZero();
    }

    @Test
    void directInjectWritesAndDeletesWhatThePeerSendsAtTheNextFlush() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config().withDirectInject(true), Standing.STANDBY);
        p.loop.execute(() -> {
            p.writer.inject(flow(10, 1, 0));
            p.writer.inject(flow(10, 2, 0));
        });
        p.drain();
        assertThat(p.kernel.size()).as("nothing before the flush").isZero();
        p.loop.execute(p.writer::flushInjections);
        p.drain();
        assertThat(p.kernel.flows()).hasSize(2).allSatisfy(f -> assertThat(OwnerMark.DEFAULT.marks(f.mark())).isTrue());
        assertThat(p.counter("injected")).isEqualTo(2);
        p.loop.execute(() -> {
            p.writer.injectDelete(flow(10, 1, 0));
            p.writer.flushInjections();
        });
        p.drain();
        assertThat(p.kernel.flows()).extracting(Flow::orig).containsExactly(flow(10, 2, 0).orig());
        assertThat(p.counter("inject_errors")).isZero();
    }
}
