package io.hactl.sync.engine;

import static io.hactl.sync.engine.EngineParts.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.mode.BulkSource;
import io.hactl.sync.wire.CompactFlow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The peer's flows and bulks as the sync mode delivers them, on the in-memory kernel. */
class PeerStateTest {
    static List<Tuple> external(EngineParts p) {
        List<Tuple> out = new ArrayList<>();
        p.external.forEach((h, f, u) -> out.add(f.orig()));
        return out;
    }

    static List<Tuple> origs(int net, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> flow(net, i, 0).orig()).toList();
    }

    /**
     * The external cache holds flows 0..9 from before; the bulk carries 5..14. At its end a clean
     * bulk leaves exactly what it carried; one with a loss keeps everything.
     */
    @ParameterizedTest(name = "messages lost during the bulk: {0}")
    @CsvSource({"0, true, 10", "1, false, 15"})
    void theEndOfACleanBulkRemovesWhatThePeerNoLongerHas(int lost, boolean clean, int left) throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        for (int i = 0; i < 10; i++) {
            p.peer.onFlowUpdate(CompactFlow.encode(flow(10, i, 0)), p.now);
        }
        p.advance(Duration.ofSeconds(1));
        p.peer.onBulkBegin(p.now);
        assertThat(p.peer.bulkReceiving()).isTrue();
        for (int i = 5; i < 15; i++) {
            p.peer.onFlowUpdate(CompactFlow.encode(flow(10, i, 0)), p.now);
            p.advance(Duration.ofMillis(1));
        }
        p.stats.messagesLost.addAndGet(lost);
        p.peer.onBulkEnd(10);
        assertThat(p.peer.bulkReceiving()).isFalse();
        assertThat(p.peer.bulksReceived()).isEqualTo(1);
        assertThat(p.heard).containsExactly("bulk 10 " + (clean ? "clean" : "unclean"));
        assertThat(external(p)).hasSize(left)
                .containsAll(origs(10, 5, 15));
        assertThat(p.counter("external_stale_removed")).isEqualTo(clean ? 5 : 0);
        assertThat(p.counter("bulks_unclean")).isEqualTo(clean ? 0 : 1);
    }

    @Test
    void withDirectInjectTheStaleFlowsLeaveTheKernelToo() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config().withDirectInject(true), Standing.STANDBY);
        for (int i = 0; i < 4; i++) {
            p.peer.onFlowUpdate(CompactFlow.encode(flow(10, i, 0)), p.now);
        }
        p.standby.flushInjections();
        p.drain();
        assertThat(p.kernel.size()).isEqualTo(4);
        p.advance(Duration.ofSeconds(1));
        p.peer.onBulkBegin(p.now);
        p.peer.onFlowUpdate(CompactFlow.encode(flow(10, 0, 0)), p.now);
        p.peer.onBulkEnd(1);
        p.standby.flushInjections();
        p.drain();
        assertThat(p.kernel.flows()).extracting(Flow::orig).containsExactly(flow(10, 0, 0).orig());
    }

    @Test
    void aDeleteFromThePeerLeavesTheExternalCache() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        Flow f = flow(10, 1, 0);
        p.peer.onFlowUpdate(CompactFlow.encode(f), p.now);
        p.peer.onFlowDelete(CompactFlow.encodeKey(f.orig(), f.zone()));
        assertThat(p.external.size()).isZero();
    }

    @Test
    void aCleanBulkLetsAPurgeWaitingForItRun() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config().withPurgeTimeout(Duration.ZERO), Standing.STANDBY);
        p.purge.schedule("BACKUP");
        p.purge.tick(p.now);
        assertThat(p.bulkAsks).as("a due purge asks for the peer's flows first").isEqualTo(1);
        assertThat(p.counter("purges_run")).isZero();
        p.peer.onBulkBegin(p.now);
        p.peer.onBulkEnd(0);
        p.purge.tick(p.now);
        p.drain();
        assertThat(p.counter("purges_run")).isEqualTo(1);
    }

    @Test
    void aBulkWhoseMarkerThePeerLostIsSentAgainOnceAtTheNextTick() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        p.internal.put(flow(10, 1, 0), p.now);
        p.peer.onOwnBulkLost();
        p.peer.onOwnBulkLost();
        assertThat(p.bulks).isEmpty();
        p.peer.tick();
        p.peer.tick();
        assertThat(p.bulks).hasSize(1);
        assertThat(p.bulks.get(0).next()).isEqualTo(CompactFlow.encode(flow(10, 1, 0)));
        assertThat(p.bulks.get(0).next()).isNull();
        assertThat(p.counter("bulks_sent")).isEqualTo(1);
    }

    /**
     * The peer, alive before this node started, asks for its bulk while the start dump still
     * reaches the loop chunk by chunk: the bulk waits for the whole table. Sent at once it would
     * carry the chunks read so far, and the peer's clean bulk end would drop the rest.
     */
    @Test
    void aResyncAskedForWhileTheTableIsReadGetsTheWholeTableOnceItIsRead() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.UNKNOWN);
        List<BulkSource> bulks = new ArrayList<>();
        PeerState starting = new PeerState(p.ctx, new EngineListener() { }, p.stats,
                new PeerCountCheck(SyncEngine.COUNT_PERSIST.toNanos()), p.purge.plan(), p.writer, p.standby, bulks::add);
        p.internal.put(flow(10, 1, 0), p.now); // the first chunk
        starting.onResyncRequest();
        starting.onOwnBulkLost();
        starting.tick();
        assertThat(bulks).as("nothing while the table is read").isEmpty();
        p.internal.put(flow(10, 2, 0), p.now); // the last chunk
        starting.tableRead();
        assertThat(bulks).hasSize(1);
        List<byte[]> sent = new ArrayList<>();
        for (byte[] e = bulks.get(0).next(); e != null; e = bulks.get(0).next()) {
            sent.add(e);
        }
        assertThat(sent).containsExactlyInAnyOrder(CompactFlow.encode(flow(10, 1, 0)), CompactFlow.encode(flow(10, 2, 0)));
        starting.onResyncRequest();
        assertThat(bulks).as("once read, at once").hasSize(2);
    }

    /**
     * A MASTER transition's bulk to a peer silent for more than a heartbeat interval (crashed,
     * its link cut) waits until a tick hears it again, then goes once; a peer heard lately gets
     * it at once.
     */
    @Test
    void theMasterBulkToASilentPeerWaitsUntilItIsHeardAgain() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.ACTIVE);
        p.internal.put(flow(10, 1, 0), p.now);
        Duration heartbeat = p.cfg.mode().heartbeat();

        assertThat(p.peer.sendBulkWhenHeard()).as("never heard").isEqualTo(-1);
        p.stats.lastHeardNanos.set(p.now);
        p.advance(heartbeat.plusMillis(1));
        p.peer.tick();
        assertThat(p.bulks).as("silent for over a heartbeat").isEmpty();
        assertThat(p.peer.bulkOwed()).isTrue();

        p.stats.lastHeardNanos.set(p.now); // a datagram of the peer's
        p.peer.tick();
        assertThat(p.bulks).hasSize(1);
        assertThat(p.peer.bulkOwed()).isFalse();
        p.peer.tick();
        assertThat(p.bulks).as("once").hasSize(1);

        p.advance(heartbeat.minusMillis(1));
        assertThat(p.peer.sendBulkWhenHeard()).as("heard within the heartbeat").isEqualTo(1);
        assertThat(p.bulks).hasSize(2);
    }
}
