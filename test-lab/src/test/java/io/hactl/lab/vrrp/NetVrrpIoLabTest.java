package io.hactl.lab.vrrp;

import static io.hactl.lab.vrrp.VnLink.A_IF;
import static io.hactl.lab.vrrp.VnLink.A_LL;
import static io.hactl.lab.vrrp.VnLink.A_V4;
import static io.hactl.lab.vrrp.VnLink.B_IF;
import static io.hactl.lab.vrrp.VnLink.B_V4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.vrrp.Advertisement;
import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.ExecutorLoop;
import io.hactl.controller.vrrp.IpFamily;
import io.hactl.controller.vrrp.RouterConfig;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.controller.vrrp.VrrpConfig;
import io.hactl.controller.vrrp.VrrpController;
import io.hactl.controller.vrrp.VrrpState;
import io.hactl.controller.vrrp.net.Addresses;
import io.hactl.controller.vrrp.net.Datagram;
import io.hactl.controller.vrrp.net.Link;
import io.hactl.controller.vrrp.net.NetVrrpIo;
import io.hactl.controller.vrrp.net.VrrpSocket;
import io.hactl.sync.lab.LabTest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NetVrrpIo} under a real {@link VrrpController} on node A of {@link VnLink}, with B's raw
 * VRRP socket as the other router: the primary addresses come from RTM_GETADDR (never a virtual
 * one), A's adverts reach B, B's reach A's receive thread, a link going down is FAULT, and close
 * ends the thread.
 */
@LabTest
class NetVrrpIoLabTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String VIP4 = "10.77.0.100";
    private static final String VIP6 = "fe80::100";

    private VnLink net;

    @BeforeEach
    void setUp() {
        net = VnLink.create();
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    private static VrrpConfig config(int priority) throws Exception {
        return config(priority, Duration.ofMillis(100));
    }

    private static VrrpConfig config(int priority, Duration advertInterval) throws Exception {
        RouterConfig v4 = new RouterConfig("VI_4", A_IF, 51, priority,
                List.of(new VirtualAddress(InetAddress.getByName(VIP4), 24)), List.of());
        RouterConfig v6 = new RouterConfig("VI_6", A_IF, 51, priority,
                List.of(new VirtualAddress(InetAddress.getByName(VIP6), 64)), List.of());
        return new VrrpConfig(advertInterval, true, Duration.ZERO, ChecksumMode.RFC, 1, Duration.ofMillis(100),
                Duration.ofSeconds(1), List.of(v4, v6));
    }

    private boolean aHolds(String address) {
        return net.a.execRaw("ip", "-o", "addr", "show", "dev", A_IF).output().contains(address + "/");
    }

    private static boolean rxThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(NetVrrpIo.THREAD) && t.isAlive());
    }

    @Test
    void primaryAddressesSkipTheVirtualOnesThatAreUpAlready() throws Exception {
        // left over from an earlier run: a virtual address listed before the node's own would be wrong
        net.a.exec("ip", "addr", "add", VIP4 + "/24", "dev", A_IF);
        net.a.exec("ip", "addr", "add", VIP6 + "/64", "dev", A_IF, "nodad");
        VrrpConfig c = config(150);
        try (NetVrrpIo io = net.a.call(() -> NetVrrpIo.open("A", c))) {
            assertThat(io.primaryAddress(c.instances().get(0))).isEqualTo(InetAddress.getByName(A_V4));
            assertThat(io.primaryAddress(c.instances().get(1))).isEqualTo(InetAddress.getByName(A_LL));
        }
    }

    /**
     * A link going down is known from the kernel's notification, not from the periodic read of
     * the links, which comes once per advertisement interval: here 40 s, far past this test.
     */
    @Test
    void aLinkGoingDownIsFaultAtOnceFromTheKernelsNotification() throws Exception {
        VrrpConfig c = config(150, Duration.ofSeconds(40));
        try (ExecutorLoop loop = new ExecutorLoop("lab-vrrp")) {
            NetVrrpIo io = net.a.call(() -> NetVrrpIo.open("A", c));
            VrrpController ctl = new VrrpController("A", c, io, loop, (state, why) -> CompletableFuture.completedFuture(null));
            try {
                long started = System.nanoTime();
                net.a.call(() -> {
                    io.start(ctl);
                    return null;
                });
                ctl.start();
                await().atMost(WAIT).until(() -> ctl.status().state() == VrrpState.BACKUP);

                net.a.exec("ip", "link", "set", A_IF, "down");
                await().atMost(Duration.ofSeconds(5)).until(() -> ctl.status().state() == VrrpState.FAULT);
                net.a.exec("ip", "link", "set", A_IF, "up");
                await().atMost(Duration.ofSeconds(5)).until(() -> ctl.status().state() == VrrpState.BACKUP);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("all of it before the first periodic read")
                        .isLessThan(Duration.ofSeconds(40));
            } finally {
                ctl.close();
            }
        }
        assertThat(rxThreadAlive()).isFalse();
    }

    @Test
    void aloneItTakesOverThenAHigherPriorityHeardOnItsThreadSendsItBackAndALinkDownIsFault() throws Exception {
        VrrpConfig c = config(150);
        Link b = net.b.call(() -> {
            try (Addresses x = Addresses.open()) {
                return x.link(B_IF);
            }
        });
        try (ExecutorLoop loop = new ExecutorLoop("lab-vrrp");
                VrrpSocket peer = net.b.call(() -> VrrpSocket.open(b, InetAddress.getByName(B_V4), List.of(),
                        ChecksumMode.RFC))) {
            NetVrrpIo io = net.a.call(() -> NetVrrpIo.open("A", c));
            VrrpController ctl = new VrrpController("A", c, io, loop, (state, why) -> CompletableFuture.completedFuture(null));
            try {
                net.a.call(() -> {
                    io.start(ctl);
                    return null;
                });
                assertThat(rxThreadAlive()).isTrue();
                ctl.start();

                // nobody else on the link: master-down, then A advertises from its primary address
                await().atMost(WAIT).until(() -> ctl.status().state() == VrrpState.MASTER && aHolds(VIP4) && aHolds(VIP6));
                Datagram d = null;
                for (int i = 0; i < 10 && (d == null || d.header().family() != IpFamily.IPV4); i++) {
                    d = peer.receive(Duration.ofSeconds(1));
                }
                assertThat(d).isNotNull();
                assertThat(d.header().source()).isEqualTo(InetAddress.getByName(A_V4));

                // what the receive thread costs while MASTER: a poll wake-up and a link read per interval
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long rxId = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(NetVrrpIo.THREAD))
                        .findFirst().orElseThrow().getId();
                long cpu0 = mx.getThreadCpuTime(rxId);
                long wall0 = System.nanoTime();
                await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
                double cpuShare = (mx.getThreadCpuTime(rxId) - cpu0) / (double) (System.nanoTime() - wall0);
                System.out.printf("%s thread CPU while MASTER, 100 ms adverts: %.3f%% of %d ms%n", NetVrrpIo.THREAD,
                        100 * cpuShare, (System.nanoTime() - wall0) / 1_000_000);
                assertThat(cpuShare).as("receive thread CPU share").isLessThan(0.05);

                // B claims VRID 51 with a higher priority: A's receive thread hears it, A steps back
                Advertisement higher = Advertisement.of(51, 200, 10, List.of(InetAddress.getByName(VIP4)));
                await().atMost(WAIT).until(() -> {
                    peer.send(higher);
                    return ctl.status().instances().get(0).state() == VrrpState.BACKUP;
                });
                assertThat(ctl.status().instances().get(0).advertsReceived()).isPositive();
                assertThat(ctl.status().instances().get(0).masterAddress()).isEqualTo(B_V4);
                assertThat(aHolds(VIP4)).as("addresses go down before the status says BACKUP").isFalse();

                // the link goes down: read within an advert interval, the group is FAULT; up again, it recovers
                net.a.exec("ip", "link", "set", A_IF, "down");
                await().atMost(WAIT).until(() -> ctl.status().state() == VrrpState.FAULT);
                net.a.exec("ip", "link", "set", A_IF, "up");
                await().atMost(WAIT).until(() -> ctl.status().state() != VrrpState.FAULT);
            } finally {
                ctl.close();
            }
            assertThat(rxThreadAlive()).isFalse();
        }
    }
}
