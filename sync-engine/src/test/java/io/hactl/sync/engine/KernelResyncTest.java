package io.hactl.sync.engine;

import static io.hactl.sync.engine.EngineParts.flow;
import static io.hactl.sync.engine.EngineParts.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.mode.FlowKey;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The internal cache kept in step with the in-memory kernel: events, resyncs, and the catch-up
 * after a commit, with the loop, the worker and the clock driven by the test.
 */
class KernelResyncTest {
    static List<FlowKey> keys(int net, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> key(flow(net, i, 0))).toList();
    }

    static int resync(EngineParts p, KernelResync.Announce announce) {
        CompletableFuture<Integer> f = p.resync.resync(announce);
        p.drain();
        return f.join();
    }

    /**
     * The MASTER transition: gw1 commits the peer's 30 flows (net 10) and claims marked flows
     * (ACTIVE); meanwhile packets made 5 flows of its own (net 20), whose events the commit
     * paused. The catch-up takes in and announces only those, whether or not the external cache
     * was flushed after the commit.
     */
    @ParameterizedTest(name = "external cache flushed after the commit: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void theCatchUpAfterACommitTakesInAndAnnouncesOnlyTheFlowsOfThisNode(boolean flushed) throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.ACTIVE);
        for (int i = 0; i < 30; i++) {
            p.external.put(flow(10, i, 0), p.now);
        }
        p.advance(Duration.ofMillis(1));
        CompletableFuture<CommitResult> commit = p.writer.commit(false);
        p.drain();
        assertThat(commit.join().written()).isEqualTo(30);
        for (int i = 0; i < 5; i++) {
            p.kernel.inject(flow(20, i, 0));
        }
        if (flushed) {
            p.external.clear();
        }
        assertThat(p.resync.scheduled()).isTrue();
        p.advance(KernelResync.CATCH_UP_DELAY.minusMillis(1));
        p.resync.tick(p.now);
        p.drain();
        assertThat(p.counter("resyncs_from_kernel")).as("not yet due").isZero();
        p.advance(Duration.ofMillis(1));
        p.resync.tick(p.now);
        p.drain();
        assertThat(p.resync.scheduled()).isFalse();
        assertThat(p.internal.size()).isEqualTo(5);
        assertThat(p.announced).containsExactlyInAnyOrderElementsOf(keys(20, 0, 5));
        assertThat(p.counter("resyncs_from_kernel")).isEqualTo(1);
    }

    /**
     * The MASTER transition's steps after its commit (events paused): flush, then a resync from
     * the kernel, a tick or two later. The resync does the catch-up in its own dump, so the
     * kernel's table is dumped once, not by the catch-up first and by the resync after it; it
     * takes in the peer's committed flows (ACTIVE claims them) and this node's alike.
     */
    @Test
    void theResyncThatFollowsACommitDoesItsCatchUpInTheSameDump() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.ACTIVE);
        for (int i = 0; i < 30; i++) {
            p.external.put(flow(10, i, 0), p.now);
        }
        p.advance(Duration.ofMillis(1));
        CompletableFuture<CommitResult> commit = p.writer.commit(false);
        p.drain();
        assertThat(commit.join().written()).isEqualTo(30);
        for (int i = 0; i < 5; i++) {
            p.kernel.inject(flow(20, i, 0));
        }
        p.advance(Duration.ofMillis(20)); // the flush step, a couple of ticks
        p.resync.tick(p.now);
        p.drain();
        assertThat(p.counter("resyncs_from_kernel")).as("the catch-up waits for the resync").isZero();
        p.external.clear();
        p.internal.clear();

        assertThat(resync(p, KernelResync.Announce.NONE)).isEqualTo(35);
        assertThat(p.resync.scheduled()).isFalse();
        p.advance(KernelResync.CATCH_UP_DELAY);
        p.resync.tick(p.now);
        p.drain();
        assertThat(p.counter("resyncs_from_kernel")).as("one dump").isEqualTo(1);
    }

    /** Internal holds net 10 flows 0..9 as the kernel did; the kernel now holds 5..14: 5 vanished, 5 new. */
    static Stream<Arguments> announcements() {
        List<FlowKey> changed = new ArrayList<>(keys(10, 10, 15));
        changed.addAll(keys(10, 0, 5));
        return Stream.of(
                Arguments.of(KernelResync.Announce.ALL, changed),
                Arguments.of(KernelResync.Announce.NONE, List.of()),
                Arguments.of(KernelResync.Announce.LOCAL, changed)); // no commit to leave out
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("announcements")
    void aResyncMirrorsTheKernelAndAnnouncesAsAsked(KernelResync.Announce announce, List<FlowKey> expected)
            throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        for (int i = 0; i < 10; i++) {
            p.kernel.inject(flow(10, i, 0));
        }
        resync(p, KernelResync.Announce.NONE);
        p.announced.clear();
        for (int i = 0; i < 5; i++) {
            p.kernel.expire(flow(10, i, 0).orig(), 0);
        }
        for (int i = 10; i < 15; i++) {
            p.kernel.inject(flow(10, i, 0));
        }
        p.advance(Duration.ofMillis(1));
        assertThat(resync(p, announce)).isEqualTo(10);
        List<Tuple> cached = new ArrayList<>();
        p.internal.forEach((h, f, u) -> cached.add(f.orig()));
        assertThat(cached).containsExactlyInAnyOrderElementsOf(
                IntStream.range(5, 15).mapToObj(i -> flow(10, i, 0).orig()).toList());
        assertThat(p.announced).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void anOverrunSchedulesAFullResyncAfterTheConfiguredDelay() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        p.kernel.inject(flow(10, 1, 0));
        Duration delay = p.cfg.overrunResync();
        p.loop.execute(p.resync::overrun);
        p.drain();
        assertThat(p.counter("kernel_event_overruns")).isEqualTo(1);
        assertThat(p.resync.pending()).as("scheduled").isTrue();
        p.advance(delay.minusMillis(1));
        p.resync.tick(p.now);
        p.drain();
        assertThat(p.counter("resyncs_from_kernel")).as("not yet due").isZero();
        p.advance(Duration.ofMillis(1));
        p.resync.tick(p.now);
        p.loop.runOne(); // begun: its dump is queued on the worker
        assertThat(p.resync.scheduled()).isFalse();
        assertThat(p.resync.pending()).as("under way").isTrue();
        p.drain();
        assertThat(p.resync.pending()).as("done").isFalse();
        assertThat(p.counter("resyncs_from_kernel")).isEqualTo(1);
        assertThat(p.announced).as("a full resync announces").containsExactly(key(flow(10, 1, 0)));
    }

    @Test
    void anExplicitResyncDoesTheScheduledOne() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        p.loop.execute(p.resync::overrun);
        resync(p, KernelResync.Announce.NONE);
        assertThat(p.resync.scheduled()).isFalse();
        p.advance(p.cfg.overrunResync());
        p.resync.tick(p.now);
        p.drain();
        assertThat(p.counter("resyncs_from_kernel")).isEqualTo(1);
    }

    /** One kernel event for a fresh engine part (STANDBY, TCP only), and what it leaves. */
    static Stream<Arguments> events() throws Exception {
        Flow own = flow(10, 1, 0);
        Flow marked = flow(10, 2, 0x4000_0000L);
        Flow udp = Flow.builder(Tuple.udp(InetAddress.getByName("10.10.0.3"), InetAddress.getByName("10.60.0.10"),
                5000, 53)).timeout(30).status(0).build();
        return Stream.of(
                Arguments.of("a new flow", new FlowEvent(FlowEvent.Type.NEW, own, 0), 1, "kernel_events", true),
                Arguments.of("our own write", new FlowEvent(FlowEvent.Type.NEW, own, -1), 0, "kernel_events_own", false),
                Arguments.of("the peer's marked flow", new FlowEvent(FlowEvent.Type.NEW, marked, 0), 0,
                        "kernel_events_of_peer", false),
                Arguments.of("a filtered flow", new FlowEvent(FlowEvent.Type.NEW, udp, 0), 0,
                        "kernel_events_filtered", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void anEventGoesIntoTheInternalCacheOnlyWhenItIsThisNodesFlow(String name, FlowEvent event, int cached,
                                                                   String counter, boolean announced) throws Exception {
        EngineParts p = new EngineParts(EngineParts.config().withFilter(new FlowFilter(Set.of(Tuple.TCP), List.of(),
                Set.of())), Standing.STANDBY);
        FlowEvent e = event.originPort() < 0
                ? new FlowEvent(event.type(), event.flow(), p.conntrack.socket().portId()) : event;
        p.resync.applyEvents(List.of(e));
        assertThat(p.internal.size()).isEqualTo(cached);
        assertThat(p.counter(counter)).isEqualTo(1);
        assertThat(p.announced).hasSize(announced ? 1 : 0);
        assertThat(p.pumps).as("the batch leaves at once").isEqualTo(1);
    }

    @Test
    void aDestroyEventRemovesTheFlowAndAnnouncesIt() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        Flow f = flow(10, 1, 0);
        p.resync.applyEvents(List.of(new FlowEvent(FlowEvent.Type.NEW, f, 0)));
        p.resync.applyEvents(List.of(new FlowEvent(FlowEvent.Type.DESTROY, f, 0)));
        assertThat(p.internal.size()).isZero();
        assertThat(p.announced).containsExactly(key(f), key(f));
    }

    /**
     * A resync after lost events finds every flow's timeout run on since its event: that is not
     * news for the peer, which counts the timeout down itself; only the flow whose state changed
     * is announced, and the internal cache holds the dump's version of each.
     */
    @Test
    void aResyncDoesNotAnnounceFlowsWhoseTimeoutOnlyRanOn() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.ACTIVE);
        for (int i = 0; i < 10; i++) {
            p.kernel.inject(flow(10, i, 0));
        }
        resync(p, KernelResync.Announce.ALL);
        p.announced.clear();
        for (int i = 0; i < 10; i++) {
            Flow f = flow(10, i, 0);
            p.kernel.inject(f.toBuilder().timeout(3600 - 40).status(i == 3 ? f.status() & ~Ctnl.IPS_ASSURED
                    : f.status()).build());
        }
        p.advance(Duration.ofSeconds(40));
        resync(p, KernelResync.Announce.ALL);
        assertThat(p.announced).containsExactly(key(flow(10, 3, 0)));
        assertThat(p.counter("resync_timeout_only")).isEqualTo(9);
        assertThat(p.internal.get(flow(10, 5, 0).orig(), 0).timeout()).isEqualTo(3600 - 40);
    }

    /**
     * A resync of a table larger than a chunk: the dump reaches the loop as one task per chunk,
     * so whatever else the loop has to do (status, peer datagrams) runs between them; the run
     * ends only after the last chunk and the sweep for vanished flows.
     */
    @Test
    void aResyncHandsTheDumpToTheLoopInChunks() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        int n = 2 * KernelResync.CHUNK_FLOWS + 5;
        for (int i = 0; i < n; i++) {
            p.kernel.inject(flow(10 + i / 60_000, i % 60_000, 0));
        }
        p.internal.put(flow(99, 1, 0), p.now); // no longer in the kernel
        p.advance(Duration.ofMillis(1));
        CompletableFuture<Integer> run = p.resync.resync(KernelResync.Announce.ALL);
        assertThat(p.loop.runOne()).as("the run begins on the loop").isTrue();
        assertThat(p.worker.runOne()).as("the dump").isTrue();
        List<Integer> sizes = new ArrayList<>();
        while (p.loop.runOne()) {
            sizes.add(p.internal.size());
        }
        assertThat(sizes).as("one loop task per chunk, then the sweep, then the run noted done").containsExactly(
                1 + KernelResync.CHUNK_FLOWS, 1 + 2 * KernelResync.CHUNK_FLOWS, 1 + n, n, n);
        assertThat(p.resync.pending()).isFalse();
        assertThat(run).isCompletedWithValue(n);
        assertThat(p.announced).hasSize(n + 1).contains(key(flow(99, 1, 0)));
    }

    /**
     * At the start the dump fills the internal cache through the loop: this node's flows go in,
     * the peer's marked ones are counted and stay out.
     */
    @Test
    void theStartDumpFillsTheInternalCacheWithThisNodesFlowsOnly() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        for (int i = 0; i < KernelResync.CHUNK_FLOWS + 3; i++) {
            p.kernel.inject(flow(10, i, 0));
        }
        p.kernel.inject(flow(20, 1, 0x4000_0000L));
        assertThat(p.resync.dumpAtStart()).isEqualTo(KernelResync.CHUNK_FLOWS + 3);
        assertThat(p.internal.size()).as("the puts wait for the loop").isZero();
        p.drain();
        assertThat(p.internal.size()).isEqualTo(KernelResync.CHUNK_FLOWS + 3);
        assertThat(p.internal.handleOf(flow(20, 1, 0).orig(), 0)).isEqualTo(-1);
        assertThat(p.counter("kernel_flows_of_peer_at_start")).isEqualTo(1);
        assertThat(p.announced).isEmpty();
    }
}
