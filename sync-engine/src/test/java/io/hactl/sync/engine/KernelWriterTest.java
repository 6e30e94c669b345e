package io.hactl.sync.engine;


import static io.hactl.sync.engine.EngineParts.flow;
import static io.hactl.sync.engine.WarmStandbyTest.deliverEvents;
import static io.hactl.sync.engine.WarmStandbyTest.send;
import static io.hactl.sync.engine.WarmStandbyTest.tick;
import static io.hactl.sync.engine.WarmStandbyTest.warm;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.Ctnl;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The commit of the external cache, and what it learns of the kernel copies warm standby wrote,
 * on the in-memory kernel with a clock of the test's.
 */
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
    void aCommitCopiesItsFlowsAChunkAtATimeAsTheCacheHoldsThemThen() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        int n = KernelWriter.CHUNK + 100;
        for (int i = 0; i < n; i++) {
            p.external.put(flow(10, i, 0x11), p.now);
        }
        p.advance(Duration.ofMillis(1));
        CompletableFuture<CommitResult> f = p.writer.commit(false);
        while (p.kernel.flows().size() < KernelWriter.CHUNK && (p.loop.runOne() || p.worker.runOne())) {
            // up to the first chunk written
        }
        assertThat(p.kernel.flows()).as("the first chunk only").hasSize(KernelWriter.CHUNK);
        // the peer ends one flow of the second chunk and changes another meanwhile
        p.external.remove(flow(10, KernelWriter.CHUNK + 5, 0x11).orig(), 0);
        p.external.put(flow(10, KernelWriter.CHUNK + 6, 0x22), p.now);
        p.drain();
        CommitResult r = f.join();
        assertThat(r.flows()).isEqualTo(n - 1);
        assertThat(r.written()).isEqualTo(n - 1);
        assertThat(p.kernel.flows()).hasSize(n - 1)
                .noneMatch(k -> k.orig().equals(flow(10, KernelWriter.CHUNK + 5, 0x11).orig()))
                .filteredOn(k -> k.orig().equals(flow(10, KernelWriter.CHUNK + 6, 0x11).orig()))
                .singleElement().satisfies(k -> assertThat(k.mark()).as("its newer version").isEqualTo(0x4000_0022L));
        assertThat(p.resync.scheduled()).as("catch-up after the paused events").isTrue();
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
                Arguments.of("changes 1 s after a commit", true, Duration.ofSeconds(1), false, 1, N - 1),
                Arguments.of("changes an hour less 11 s after", true, Duration.ofSeconds(3600 - 11), false, 1, N - 1),
                Arguments.of("changes after a purge", true, Duration.ofSeconds(1), true, 1, N - 1),
                Arguments.of("changes when the copies' timeout runs out within 10 s: everything", true,
                        Duration.ofSeconds(3600 - 9), false, N, 0),
                Arguments.of("a full commit 1 s after: everything", false, Duration.ofSeconds(1), false, N, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changesOnly")
    void aCommitOfTheChangesWritesOnlyWhatTheKernelDoesNotHoldAsLastReceived(String name, boolean changesOnly,
                                                                              Duration later, boolean purged, int flows,
                                                                              int unchanged) throws Exception {
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

    /**
     * A source-NATed flow is created with its NAT (the kernel translates by it), and written
     * again over the entry that has it (an update may not carry NAT): no failure either time.
     */
    @Test
    void aTranslatedFlowIsCreatedWithItsNatAndUpdatedWithoutIt() throws Exception {
        EngineParts p = parts(EngineParts.config());
        Flow f = flow(10, 3, 0x11);
        java.net.InetAddress vip = java.net.InetAddress.getByName("10.60.0.1");
        Flow translated = f.toBuilder().reply(io.hactl.sync.conntrack.Tuple.tcp(f.orig().dst(), vip, 443, 20000))
                .status(f.status() | Ctnl.IPS_SRC_NAT | Ctnl.IPS_SRC_NAT_DONE).build();
        p.external.put(translated, p.now);
        for (int round = 0; round < 2; round++) {
            CommitResult r = commit(p, false);
            assertThat(r.written()).as("round %d: %s", round, r).isEqualTo(N);
            assertThat(r.ok()).as("round %d: %s", round, r).isTrue();
            assertThat(p.kernel.get(f.orig(), 0)).get().satisfies(k -> {
                assertThat(k.reply().dst()).isEqualTo(vip);
                assertThat(k.hasStatus(Ctnl.IPS_SRC_NAT | Ctnl.IPS_SRC_NAT_DONE)).as("%s", k).isTrue();
            });
            p.advance(Duration.ofSeconds(1));
        }
        assertThat(p.counter("kernel_write_failed")).isZero();
    }

    /**
     * The MASTER transition after warm standby writes only what arrived since the flows were
     * written: here the 3 flows of the last tick before the role changed.
     */
    @Test
    void takingMasterAfterWarmStandbyWritesOnlyTheFlowsChangedSinceTheyWereWritten() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, 0x11));
        }
        tick(p);
        p.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) {
            send(p, flow(10, i, 0x12));
        }
        p.loop.execute(() -> p.ctx.standing(Standing.ACTIVE));
        CommitResult r = commit(p, true);
        assertThat(r.flows()).isEqualTo(3);
        assertThat(r.written()).isEqualTo(3);
        assertThat(r.unchanged()).isEqualTo(N - 3);
        assertThat(r.sinceMillis()).isEqualTo(30_000);
        assertThat(r.toString()).contains("3/3", (N - 3) + " unchanged");
        assertThat(p.kernel.flows()).hasSize(N).filteredOn(f -> (f.mark() & 0xff) == 0x12).hasSize(3);
        tick(p);
        assertThat(p.counter("injected")).as("nothing more on MASTER").isEqualTo(N);
    }

    /**
     * The kernel loses flows warm standby wrote, behind hactl's back: one expires, two are
     * deleted by someone else (conntrack -D, a flush). Their DESTROY events tell, and the commit of
     * the changes writes those three again; lost events make it write everything.
     */
    @Test
    void flowsTheKernelLostAreWrittenAgainByTheCommitOfTheChanges() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, 0x11));
        }
        tick(p);
        deliverEvents(p);
        assertThat(p.kernel.size()).isEqualTo(N);
        p.kernel.expire(flow(10, 1, 0).orig(), 0);
        try (var other = new InMemoryKernelAccess(p.kernel).openConntrack(new io.hactl.sync.ctnetlink.DecodeStats())) {
            assertThat(other.batchDelete(List.of(flow(10, 2, 0), flow(10, 3, 0))).succeeded()).isEqualTo(2);
        }
        deliverEvents(p);
        p.loop.execute(() -> p.ctx.standing(Standing.ACTIVE));
        CommitResult r = commit(p, true);
        assertThat(r.flows()).as("%s", r).isEqualTo(3);
        assertThat(r.unchanged()).isEqualTo(N - 3);
        assertThat(p.kernel.size()).isEqualTo(N);

        p.loop.execute(p.writer::kernelEventsLost);
        assertThat(commit(p, true).flows()).as("events lost: everything").isEqualTo(N);
    }

    /**
     * The peer sends its flows again unchanged (a bulk, or bulks repeated after losses): the
     * kernel already holds them, so nothing is written again and the MASTER commit still finds
     * them unchanged; a flow whose copy is about to expire is written again.
     */
    @Test
    void flowsSentAgainUnchangedAreNotWrittenAgain() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, 0x11));
        }
        send(p, flow(10, N, 0x11).toBuilder().timeout(15).build());
        tick(p);
        assertThat(p.counter("injected")).isEqualTo(N + 1);
        p.advance(Duration.ofSeconds(6));
        p.peer.onBulkBegin(p.now);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, i == 0 ? 0x12 : 0x11));
        }
        send(p, flow(10, N, 0x11).toBuilder().timeout(15).build()); // its copy ends in 9 s
        p.peer.onBulkEnd(N + 1);
        tick(p);
        assertThat(p.counter("injected") + p.counter("reconciled")).as("the changed flow and the expiring one")
                .isEqualTo(N + 3);
        p.loop.execute(() -> p.ctx.standing(Standing.ACTIVE));
        CommitResult r = commit(p, true);
        assertThat(r.flows()).as("%s", r).isZero();
        assertThat(r.unchanged()).isEqualTo(N + 1);
    }
}
