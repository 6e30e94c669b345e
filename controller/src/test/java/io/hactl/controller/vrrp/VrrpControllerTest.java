package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The controller loop on virtual time over a fake network: election between two controllers
 * wired back to back, the takeover order (state, then addresses, then announcements), the commit
 * budget, leaving MASTER, drops by reason, FAULT on link down, shutdown and hold-back.
 */
class VrrpControllerTest {
    static final InetAddress GROUP = ip(VrrpConstants.IPV4_GROUP);
    static final InetAddress OTHER = ip("192.0.2.9");

    /** Master_Down_Interval at priority 200 and 100 ms adverts: 3 x 100 ms + 56/256 x 100 ms. */
    static final long MASTER_DOWN = 321_875_000L;

    final ManualLoop loop = new ManualLoop();

    static VrrpConfig config(int priority, Duration budget) {
        RouterConfig lan = new RouterConfig("LAN", "lan", 61, priority,
                List.of(new VirtualAddress(ip("10.10.0.1"), 24)), List.of());
        RouterConfig wan = new RouterConfig("WAN", "wan", 62, priority,
                List.of(new VirtualAddress(ip("10.20.0.1"), 24)), List.of());
        return new VrrpConfig(Duration.ofMillis(100), true, Duration.ZERO, ChecksumMode.RFC, 3, Duration.ofMillis(100),
                budget, List.of(lan, wan));
    }

    /** One gateway: its fake network, its controller, and its group steps, all writing to {@code calls}. */
    final class Node {
        final List<String> calls = new ArrayList<>();
        final FakeVrrpIo io;
        final VrrpController ctl;
        /** What the MASTER steps return; completed at once unless a test replaces it. */
        CompletableFuture<Void> commit = CompletableFuture.completedFuture(null);

        Node(String name, int priority, Duration budget, int host) throws Exception {
            io = new FakeVrrpIo(name, loop, Map.of("lan", ip("192.0.2." + host), "wan", ip("198.51.100." + host)), calls);
            BiFunction<VrrpState, String, CompletableFuture<?>> steps = (state, why) -> {
                io.record("state " + state);
                return state == VrrpState.MASTER ? commit : CompletableFuture.completedFuture(null);
            };
            ctl = new VrrpController(name, config(priority, budget), io, loop, steps::apply);
        }

        Node(String name, int priority, int host) throws Exception {
            this(name, priority, Duration.ofSeconds(2), host);
        }

        VrrpInstanceStatus lan() {
            return ctl.status().instances().get(0);
        }

        VrrpInstanceStatus wan() {
            return ctl.status().instances().get(1);
        }

        /** A MASTER, its takeover done, and its calls forgotten. */
        Node master() {
            ctl.start();
            loop.runForMillis(1000);
            assertThat(ctl.status().state()).isEqualTo(VrrpState.MASTER);
            io.forget();
            return this;
        }
    }

    static void wire(Node a, Node b) {
        a.io.peer = b.ctl;
        b.io.peer = a.ctl;
    }

    /** An advertisement from another router on {@code iface}, sealed as it would be. */
    static byte[] advert(int vrid, int priority, String address) {
        return AdvertCodec.encodeSealed(Advertisement.of(vrid, priority, 10, List.of(ip(address))), OTHER, GROUP,
                ChecksumMode.RFC);
    }

    @Test
    void twoControllersBackToBackElectOneMasterAndTheOtherTakesOverWhenItStops() throws Exception {
        Node fw1 = new Node("fw1", 200, 1);
        Node fw2 = new Node("fw2", 100, 2);
        wire(fw1, fw2);
        fw1.ctl.start();
        fw2.ctl.start();

        loop.runForMillis(3000);

        assertThat(fw1.ctl.status().state()).isEqualTo(VrrpState.MASTER);
        assertThat(fw2.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw2.io.only("add")).isEmpty();
        assertThat(fw1.io.only("add")).containsExactly("add LAN", "add WAN");
        assertThat(fw2.lan().masterAddress()).isEqualTo("192.0.2.1");
        assertThat(fw2.wan().masterAddress()).isEqualTo("198.51.100.1");
        assertThat(fw2.lan().masterPriority()).isEqualTo(200);
        assertThat(fw2.lan().advertsReceived()).as("an advert every 100 ms").isBetween(25L, 30L);
        assertThat(fw1.lan().advertsSent()).isEqualTo(fw2.lan().advertsReceived());
        assertThat(fw2.lan().masterDownMillis()).as("3 x 100 ms + skew (156/256 x 100 ms), less the time since the"
                + " last advert").isBetween(260L, 360L);
        assertThat(fw1.lan().masterDownMillis()).isEqualTo(-1);

        fw2.io.forget();
        fw1.ctl.stop();
        loop.runForMillis(100);

        assertThat(fw1.io.only("send")).endsWith("send LAN 0", "send WAN 0");
        assertThat(fw2.ctl.status().state()).as("priority 0: the backup waits its skew time only (60 ms)")
                .isEqualTo(VrrpState.MASTER);
        assertThat(fw2.calls).containsSubsequence("state MASTER", "add LAN", "add WAN", "announce LAN");
    }

    /**
     * The process paused (a garbage collection): the master's advertisements waited in the
     * sockets, and the timer wakes before the receive thread. The controller reads what waits
     * before it acts: a master that went on advertising is not taken for silent. Once it stops,
     * the backup takes over at its Master_Down_Interval as ever.
     */
    @Test
    void advertisementsWaitingInTheSocketsCountBeforeTheMasterIsTakenForSilent() throws Exception {
        Node fw = new Node("fw2", 100, 2);
        fw.ctl.start();
        loop.runPending();
        IpHeader header = new IpHeader(IpFamily.IPV4, OTHER, GROUP, 255);
        for (int i = 0; i < 10; i++) { // one second: far past the Master_Down_Interval of 360 ms
            fw.io.waiting.add(new FakeVrrpIo.Waiting("lan", header, advert(61, 200, "10.10.0.1"), loop.nanoTime()));
            fw.io.waiting.add(new FakeVrrpIo.Waiting("wan", header, advert(62, 200, "10.20.0.1"), loop.nanoTime()));
            loop.runForMillis(100);
        }
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw.io.only("add")).isEmpty();
        assertThat(fw.lan().masterAddress()).isEqualTo("192.0.2.9");

        loop.runForMillis(1000); // the master fell silent: what still waited is read, then nothing comes
        assertThat(fw.io.waiting).isEmpty();
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.MASTER);
        assertThat(fw.io.only("add")).containsExactly("add LAN", "add WAN");
    }

    /**
     * The whole process paused for a second while the master went on advertising; the receive
     * thread woke first and handed the advertisements over, after the Master_Down_Timer's
     * deadline. The loop runs its tasks by deadline, so the timer comes first: it must take what
     * was handed over before it acts, not take the master for silent and flap.
     */
    @Test
    void advertisementsHandedOverAfterTheTimersDeadlineCountBeforeTheMasterIsTakenForSilent() throws Exception {
        Node fw = new Node("fw2", 100, 2);
        fw.ctl.start();
        loop.runPending();
        IpHeader header = new IpHeader(IpFamily.IPV4, OTHER, GROUP, 255);
        masterHeard(fw, header, loop.nanoTime());
        loop.runForMillis(100);
        long pausedAt = loop.nanoTime();
        loop.pause(ManualLoop.SECOND);
        for (int i = 0; i < 10; i++) { // sent every 100 ms meanwhile, stamped by the kernel as they came
            masterHeard(fw, header, pausedAt + i * 100 * ManualLoop.MILLI);
        }
        loop.runPending();
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw.io.only("send")).as("never MASTER, not even for a moment").isEmpty();

        loop.runForMillis(1000); // then the master falls silent: the takeover comes as ever
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.MASTER);
    }

    /**
     * The receive thread handed the master's last advertisements over 40 ms after the kernel got
     * them (a busy machine): the Master_Down_Timer counts from their arrival, so the takeover is
     * not 40 ms late. A stamp from the future counts from the moment the loop reads it.
     */
    @Test
    void theMasterDownTimerCountsFromTheAdvertisementsArrivalNotFromWhenTheLoopGotThem() throws Exception {
        Node fw = new Node("fw2", 100, 2);
        fw.ctl.start();
        loop.runPending();
        IpHeader header = new IpHeader(IpFamily.IPV4, OTHER, GROUP, 255);
        long down = 300 * ManualLoop.MILLI + (256 - 100) * 100 * ManualLoop.MILLI / 256; // 3 x 100 ms + skew

        long arrived = loop.nanoTime();
        loop.runForMillis(40);
        masterHeard(fw, header, arrived);
        loop.runFor(down - 40 * ManualLoop.MILLI - 1);
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw.lan().masterAddress()).isEqualTo(OTHER.getHostAddress());
        loop.runFor(1);
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.MASTER);

        Node later = new Node("fw3", 100, 3);
        later.ctl.start();
        loop.runPending();
        long read = loop.nanoTime();
        masterHeard(later, header, read + 1_000 * ManualLoop.MILLI);
        loop.runFor(down - 1);
        assertThat(later.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        loop.runFor(1);
        assertThat(later.ctl.status().state()).isEqualTo(VrrpState.MASTER);
    }

    /** The priority-200 master's advertisements on both links, received at {@code receivedAt}. */
    static void masterHeard(Node n, IpHeader header, long receivedAt) {
        n.ctl.onDatagram("lan", header, advert(61, 200, "10.10.0.1"), receivedAt);
        n.ctl.onDatagram("wan", header, advert(62, 200, "10.20.0.1"), receivedAt);
    }

    @Test
    void theTakeoverRunsTheStateStepsThenAddsTheAddressesThenAnnouncesAndAdvertisesMeanwhile() throws Exception {
        Node fw = new Node("fw1", 200, 1);
        fw.commit = new CompletableFuture<>();
        fw.ctl.start();
        loop.runPending();
        assertThat(fw.calls).as("a BACKUP at start: leftover addresses removed").containsExactly("remove LAN",
                "remove WAN", "state BACKUP");
        fw.io.forget();
        // master down after 3 x 100 ms + 56/256 x 100 ms; the commit then takes 300 ms
        loop.runFor(MASTER_DOWN);
        assertThat(fw.calls).containsExactly("send LAN 200", "send WAN 200", "state MASTER");
        loop.runForMillis(300);
        fw.io.record("commit done");
        fw.commit.complete(null);
        loop.runForMillis(500);

        List<String> c = fw.calls;
        assertThat(c.subList(0, 3)).containsExactly("send LAN 200", "send WAN 200", "state MASTER");
        assertThat(c.subList(3, c.indexOf("commit done"))).as("adverts go on while the state steps run")
                .containsExactly("send LAN 200", "send WAN 200", "send LAN 200", "send WAN 200", "send LAN 200",
                        "send WAN 200");
        assertThat(c.subList(c.indexOf("commit done"), c.indexOf("commit done") + 5)).containsExactly("commit done",
                "add LAN", "add WAN", "announce LAN", "announce WAN");
        assertThat(fw.io.only("announce")).as("3 rounds").hasSize(6);
        long first = fw.io.callTimes.get(c.indexOf("announce LAN"));
        long last = fw.io.callTimes.get(c.lastIndexOf("announce LAN"));
        assertThat(last - first).as("100 ms apart").isEqualTo(200 * ManualLoop.MILLI);

        VrrpStatus st = fw.ctl.status();
        assertThat(st.takeoverWithinBudget()).isEqualTo(1);
        assertThat(st.takeoverOverBudget()).isZero();
        GroupTransition t = st.lastTransition();
        assertThat(t.to()).isEqualTo(VrrpState.MASTER);
        assertThat(t.overBudget()).isFalse();
        assertThat(t.steps()).containsExactly(new StepTime("state", 0, 300, null),
                new StepTime("addresses", 300, 0, null), new StepTime("announce", 300, 0, null));
        assertThat(fw.lan().lastTransition()).isEqualTo(t);
    }

    @Test
    void aSlowStateStepLetsTheBudgetExpireTheAddressesGoUpAnywayAndItIsCounted() throws Exception {
        Node fw = new Node("fw1", 200, Duration.ofSeconds(2), 1);
        fw.commit = new CompletableFuture<>();
        fw.ctl.start();
        loop.runFor(MASTER_DOWN);
        assertThat(fw.calls).endsWith("state MASTER");

        loop.runForMillis(1999);
        assertThat(fw.io.only("add")).isEmpty();
        loop.runForMillis(1);
        assertThat(fw.io.only("add")).containsExactly("add LAN", "add WAN");
        assertThat(fw.calls).containsSubsequence("state MASTER", "add LAN", "add WAN", "announce LAN", "announce WAN");
        VrrpStatus st = fw.ctl.status();
        assertThat(st.takeoverOverBudget()).isEqualTo(1);
        assertThat(st.takeoverWithinBudget()).isZero();
        assertThat(st.lastTransition().overBudget()).isTrue();
        assertThat(st.lastTransition().steps().get(0)).as("still running").isEqualTo(new StepTime("state", 0, -1, null));
        assertThat(st.lastTransition().steps().get(1)).isEqualTo(new StepTime("addresses", 2000, 0, null));

        loop.runForMillis(3000);
        fw.commit.complete(null);
        loop.runPending();
        st = fw.ctl.status();
        assertThat(st.lastTransition().steps().get(0)).as("finished behind the addresses")
                .isEqualTo(new StepTime("state", 0, 5000, null));
        assertThat(st.takeoverOverBudget()).isEqualTo(1);
        assertThat(st.takeoverWithinBudget()).isZero();
        assertThat(fw.io.only("add")).hasSize(2);
    }

    @Test
    void leavingMasterRemovesTheAddressesBeforeTheBackupSteps() throws Exception {
        Node fw = new Node("fw1", 200, 1).master();

        fw.ctl.onDatagram("lan", OTHER, GROUP, 255, advert(61, 250, "10.10.0.1"));
        loop.runForMillis(100);

        assertThat(fw.calls).containsExactly("remove LAN", "remove WAN", "state BACKUP");
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw.lan().masterAddress()).isEqualTo("192.0.2.9");
        assertThat(fw.ctl.status().lastTransition().steps()).extracting(StepTime::step)
                .containsExactly("addresses", "state");
    }

    @Test
    void aTakeoverOvertakenByAHigherPriorityNeverAddsTheAddresses() throws Exception {
        Node fw = new Node("fw1", 200, 1);
        fw.commit = new CompletableFuture<>();
        fw.ctl.start();
        loop.runForMillis(400);
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.MASTER);

        // the other router advertises on past the commit budget; the commit completes meanwhile
        for (int i = 0; i < 30; i++) {
            fw.ctl.onDatagram("lan", OTHER, GROUP, 255, advert(61, 250, "10.10.0.1"));
            fw.ctl.onDatagram("wan", OTHER, GROUP, 255, advert(62, 250, "10.20.0.1"));
            loop.runForMillis(100);
            if (i == 1) {
                fw.commit.complete(null);
            }
        }

        assertThat(fw.io.only("add")).isEmpty();
        assertThat(fw.io.only("announce")).isEmpty();
        assertThat(fw.ctl.status().takeoverWithinBudget() + fw.ctl.status().takeoverOverBudget()).isZero();
        assertThat(fw.calls).containsSubsequence("state MASTER", "remove LAN", "remove WAN", "state BACKUP");
    }

    @Test
    void badDatagramsAreDroppedAndCountedByReasonNeverThrown() throws Exception {
        Node fw = new Node("fw1", 200, 1);
        fw.ctl.start();
        loop.runForMillis(100);
        byte[] good = advert(61, 250, "10.10.0.1");
        byte[] badSum = good.clone();
        badSum[7] ^= 1;

        fw.ctl.onDatagram("lan", new IpHeader(IpFamily.IPV4, OTHER, GROUP, 64), good);
        fw.ctl.onDatagram("lan", OTHER, GROUP, 255, badSum);
        fw.ctl.onDatagram("lan", OTHER, GROUP, 255, advert(99, 250, "10.10.0.1"));
        fw.ctl.onDatagram("lan", OTHER, GROUP, 255, new byte[] {0x31, 61, 1});
        fw.ctl.onDatagram("lan", ip("192.0.2.1"), GROUP, 255,
                AdvertCodec.encodeSealed(Advertisement.of(61, 200, 10, List.of(ip("10.10.0.1"))), ip("192.0.2.1"),
                        GROUP, ChecksumMode.RFC));
        fw.ctl.onDatagram("dmz", OTHER, GROUP, 255, good);
        fw.ctl.onDatagram("lan", OTHER, ip("ff02::12"), 255, good);
        loop.runPending();

        assertThat(fw.lan().drops()).containsExactlyInAnyOrderEntriesOf(Map.of(DropReason.BAD_TTL, 1L,
                DropReason.BAD_CHECKSUM, 1L, DropReason.UNKNOWN_VRID, 1L, DropReason.TOO_SHORT, 1L,
                DropReason.FROM_SELF, 1L));
        assertThat(fw.wan().drops()).as("another interface, other counters").isEmpty();
        assertThat(fw.ctl.status().unmatched()).as("no instance on dmz; a header of mixed families").isEqualTo(2);
        assertThat(fw.lan().advertsReceived()).isZero();
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.BACKUP);

        loop.runForMillis(1000);
        assertThat(fw.ctl.status().state()).as("the loop goes on").isEqualTo(VrrpState.MASTER);
    }

    @Test
    void aFloodTheLoopCannotKeepUpWithIsDroppedAndCountedWithABoundedQueue() throws Exception {
        Node fw = new Node("fw1", 200, 1);
        fw.ctl.start();
        loop.runPending();
        byte[] bad = advert(61, 250, "10.10.0.1");
        bad[7] ^= 1;

        for (int i = 0; i < VrrpController.MAX_QUEUED + 100; i++) {
            fw.ctl.onDatagram("lan", OTHER, GROUP, 255, bad);
        }
        loop.runPending();

        assertThat(fw.ctl.status().overruns()).isEqualTo(100);
        assertThat(fw.lan().drops()).containsEntry(DropReason.BAD_CHECKSUM, (long) VrrpController.MAX_QUEUED);
        fw.ctl.onDatagram("lan", OTHER, GROUP, 255, bad);
        loop.runPending();
        assertThat(fw.ctl.status().overruns()).as("the queue drained").isEqualTo(100);
        assertThat(fw.lan().drops()).containsEntry(DropReason.BAD_CHECKSUM, VrrpController.MAX_QUEUED + 1L);
    }

    @Test
    void aLinkDownPutsTheWholeGroupInFaultAndItsReturnStartsItOver() throws Exception {
        Node fw = new Node("fw1", 200, 1).master();

        fw.ctl.onLink("wan", false);
        loop.runPending();

        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.FAULT);
        assertThat(fw.ctl.status().instances()).extracting(VrrpInstanceStatus::state)
                .containsOnly(VrrpState.FAULT);
        assertThat(fw.calls).containsExactly("send WAN 0", "send LAN 0", "remove LAN", "remove WAN", "state FAULT");
        assertThat(fw.lan().why()).contains("WAN FAULT (interface wan down)");
        fw.io.forget();
        loop.runForMillis(2000);
        assertThat(fw.calls).as("FAULT sends nothing").isEmpty();

        fw.ctl.onLink("lan", true);
        loop.runPending();
        assertThat(fw.ctl.status().state()).as("lan had no fault of its own").isEqualTo(VrrpState.FAULT);
        fw.ctl.onLink("wan", true);
        loop.runPending();
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw.calls).containsExactly("remove LAN", "remove WAN", "state BACKUP");
        loop.runForMillis(1000);
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void shutdownSendsPriorityZeroThenRemovesTheAddressesAndSendsNothingMore() throws Exception {
        Node fw = new Node("fw1", 200, 1).master();

        CompletableFuture<Void> stopped = fw.ctl.stop();
        loop.runPending();

        assertThat(stopped).isDone();
        assertThat(fw.calls).containsExactly("send LAN 0", "send WAN 0", "remove LAN", "remove WAN",
                "state INITIALIZE");
        assertThat(fw.ctl.status().state()).isEqualTo(VrrpState.INITIALIZE);
        fw.io.forget();
        loop.runForMillis(5000);
        assertThat(fw.calls).isEmpty();
        assertThat(fw.ctl.stop()).isSameAs(stopped);
        fw.ctl.close();
        assertThat(fw.io.closed).isTrue();
    }

    @Test
    void aNodeHeldBackDoesNotPreemptAndSaysWhyUntilReleased() throws Exception {
        Node fw1 = new Node("fw1", 100, 1).master();
        Node fw2 = new Node("fw2", 200, 2);
        wire(fw1, fw2);
        fw2.ctl.holdBack("bulk resync from the peer not finished");
        fw2.ctl.start();

        loop.runForMillis(3000);

        assertThat(fw2.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw2.ctl.status().holdBack()).isEqualTo("bulk resync from the peer not finished");
        assertThat(fw2.lan().holdBack()).isEqualTo("bulk resync from the peer not finished");
        assertThat(fw2.lan().masterAddress()).isEqualTo("192.0.2.1");
        assertThat(fw1.ctl.status().state()).isEqualTo(VrrpState.MASTER);

        fw2.ctl.release();
        loop.runForMillis(1000);

        assertThat(fw2.ctl.status().holdBack()).isNull();
        assertThat(fw2.ctl.status().state()).isEqualTo(VrrpState.MASTER);
        assertThat(fw1.ctl.status().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(fw1.calls).containsSubsequence("remove LAN", "remove WAN", "state BACKUP");
    }

    @Test
    void aFailingNetworkCallIsCountedAndTheTakeoverGoesOn() throws Exception {
        Node fw = new Node("fw1", 200, 1);
        fw.io.failAdd = true;
        fw.ctl.start();
        loop.runForMillis(1000);

        VrrpStatus st = fw.ctl.status();
        assertThat(st.state()).isEqualTo(VrrpState.MASTER);
        assertThat(st.ioErrors()).isEqualTo(2);
        assertThat(st.lastTransition().steps().get(1).error()).contains("LAN: adding [10.10.0.1/24]",
                "Operation not permitted");
        assertThat(fw.io.only("announce")).isNotEmpty();
    }

    @Test
    void anInterfaceWithoutAnAddressOfItsFamilyIsRefusedWithItsName() {
        FakeVrrpIo io = new FakeVrrpIo("fw1", loop, Map.of("lan", ip("192.0.2.1"), "wan", ip("2001:db8::1")),
                new ArrayList<>());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VrrpController("fw1", config(200,
                Duration.ofSeconds(2)), io, loop, (s, w) -> CompletableFuture.completedFuture(null)))
                .hasMessage("WAN: no IPv4 address on wan to advertise from");
    }
}
