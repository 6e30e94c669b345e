package io.hactl.lab.vrrp;

import static io.hactl.lab.vrrp.VnLink.A_IF;
import static io.hactl.lab.vrrp.VnLink.A_V4;
import static io.hactl.lab.vrrp.VnLink.B_IF;
import static io.hactl.lab.vrrp.VnLink.B_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.vrrp.Advertisement;
import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.net.Addresses;
import io.hactl.controller.vrrp.net.Announcer;
import io.hactl.controller.vrrp.net.Link;
import io.hactl.controller.vrrp.net.VrrpSocket;
import io.hactl.sync.lab.LabTest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the network steps of a takeover cost, measured on the kernel: an advertisement from A's
 * socket to B's, moving one IPv4 and one IPv6 virtual address onto an interface and off again,
 * one announcement round for both. Each step is timed {@value #ROUNDS} times; the test prints
 * medians, the 99th percentile and the calling thread's CPU time, and fails when a median exceeds
 * a bound far above what the steps need (a step that waits on something it should not).
 */
@LabTest
class TakeoverStepsLabTest {
    private static final int ROUNDS = 200;
    private static final long BOUND_NANOS = 20_000_000L;

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

    /** One timed step. */
    private interface Step {
        void run() throws Exception;
    }

    private static long[] time(String name, Step step) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20; i++) {
            step.run();   // warm-up: class loading and the JIT, not the kernel
        }
        long[] nanos = new long[ROUNDS];
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < ROUNDS; i++) {
            long t = System.nanoTime();
            step.run();
            nanos[i] = System.nanoTime() - t;
        }
        long wall = System.nanoTime() - wall0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        Arrays.sort(nanos);
        System.out.printf("%-40s median %7.1f us  p99 %7.1f us  thread CPU %5.1f%% of %d ms%n", name,
                nanos[ROUNDS / 2] / 1e3, nanos[ROUNDS * 99 / 100] / 1e3, 100.0 * cpu / wall, wall / 1_000_000);
        return nanos;
    }

    @Test
    void advertAddressMovesAndAnnouncementsEachTakeFarLessThanAnAdvertInterval() throws Exception {
        Link a = net.a.call(() -> {
            try (Addresses x = Addresses.open()) {
                return x.link(A_IF);
            }
        });
        Link b = net.b.call(() -> {
            try (Addresses x = Addresses.open()) {
                return x.link(B_IF);
            }
        });
        InetAddress vip4 = InetAddress.getByName("10.77.0.100");
        InetAddress vip6 = InetAddress.getByName("2001:db8::100");
        Advertisement advert = Advertisement.of(51, 150, 100, List.of(vip4));
        try (VrrpSocket tx = net.a.call(() -> VrrpSocket.open(a, InetAddress.getByName(A_V4), List.of(), ChecksumMode.RFC));
                VrrpSocket rx = net.b.call(() -> VrrpSocket.open(b, InetAddress.getByName(B_V4), List.of(), ChecksumMode.RFC));
                Addresses addresses = net.a.call(Addresses::open);
                Announcer announcer = net.a.call(() -> Announcer.open(a, true))) {
            long[] advertNanos = time("advert A -> B (send, poll, recvmsg)", () -> {
                tx.send(advert);
                assertThat(rx.receive(Duration.ofSeconds(1))).isNotNull();
            });
            long[] moveNanos = time("add + remove 1 IPv4 + 1 IPv6 address", () -> {
                assertThat(addresses.add(a.index(), vip4, 24)).isTrue();
                assertThat(addresses.add(a.index(), vip6, 64)).isTrue();
                assertThat(addresses.remove(a.index(), vip4, 24)).isTrue();
                assertThat(addresses.remove(a.index(), vip6, 64)).isTrue();
            });
            long[] announceNanos = time("announce 1 IPv4 + 1 IPv6 (GARP + NA)", () ->
                    assertThat(announcer.announce(List.of(vip4, vip6))).isEqualTo(2));
            assertThat(advertNanos[ROUNDS / 2]).isLessThan(BOUND_NANOS);
            assertThat(moveNanos[ROUNDS / 2]).isLessThan(BOUND_NANOS);
            assertThat(announceNanos[ROUNDS / 2]).isLessThan(BOUND_NANOS);
        }
    }
}
