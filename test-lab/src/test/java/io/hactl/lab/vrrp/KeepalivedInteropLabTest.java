package io.hactl.lab.vrrp;

import static io.hactl.lab.vrrp.VnLink.A_IF;
import static io.hactl.lab.vrrp.VnLink.A_V4;
import static io.hactl.lab.vrrp.VnLink.B_IF;
import static io.hactl.lab.vrrp.VnLink.B_V4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.InstanceConfig;
import io.hactl.controller.vrrp.ReceiveCheck;
import io.hactl.controller.vrrp.ReceiveCounters;
import io.hactl.controller.vrrp.ReceiveVerdict;
import io.hactl.controller.vrrp.net.Addresses;
import io.hactl.controller.vrrp.net.Datagram;
import io.hactl.controller.vrrp.net.Link;
import io.hactl.controller.vrrp.net.VrrpSocket;
import io.hactl.sync.lab.LabTest;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keepalived 2.2.7 as the peer, VRRPv3 over IPv4 (its default checksum, which includes the
 * pseudo-header) and over IPv6:
 * hactl's socket in B receives the adverts of keepalived, MASTER in A, and they pass
 * {@link ReceiveCheck}; adverts hactl then sends with a higher priority make keepalived go
 * BACKUP and remove its virtual address.
 */
@LabTest(tools = "keepalived")
class KeepalivedInteropLabTest {
    private static final String VIP = "10.77.0.100";
    private static final String VIP6_LL = "fe80::100";
    private static final String VIP6 = "2001:db8::100";

    @TempDir
    Path dir;

    private VnLink net;
    private Process keepalived;

    @BeforeEach
    void setUp() {
        net = VnLink.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        stopKeepalived();
        if (net != null) {
            net.close();
        }
    }

    private void startKeepalived(String instance) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, """
                global_defs {
                    router_id vnka
                    vrrp_version 3
                    enable_script_security
                    script_user root
                }
                """ + instance);
        keepalived = new ProcessBuilder("ip", "netns", "exec", net.a.name(), "keepalived", "-n", "-l", "-P",
                "-f", conf.toString(), "-p", dir.resolve("keepalived.pid").toString(),
                "-r", dir.resolve("vrrp.pid").toString(), "-i", "vnka")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keepalived.log").toFile()).start();
    }

    private void stopKeepalived() throws Exception {
        if (keepalived == null) {
            return;
        }
        Path vrrpPid = dir.resolve("vrrp.pid");
        String child = Files.exists(vrrpPid) ? Files.readString(vrrpPid).strip() : null;
        keepalived.destroy();
        if (!keepalived.waitFor(10, TimeUnit.SECONDS)) {
            keepalived.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (child != null && !child.isEmpty()) {
            ProcessHandle.of(Long.parseLong(child)).ifPresent(ProcessHandle::destroyForcibly);
        }
        keepalived = null;
    }

    private String log() throws Exception {
        Path p = dir.resolve("keepalived.log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private boolean keepalivedHolds(String address) {
        return net.a.execRaw("ip", "-o", "addr", "show", "dev", A_IF).output().contains(" " + address + "/");
    }

    @Test
    void ipv4KeepalivedAdvertsPassTheReceiveChecksAndAHigherPriorityFromHactlMakesItYield() throws Exception {
        InstanceConfig onB = new InstanceConfig("VI_HACTL", 51, 200, 100, true, Duration.ZERO,
                InetAddress.getByName(B_V4), List.of(InetAddress.getByName(VIP)));
        interoperate(onB, B_V4, A_V4, """
                vrrp_instance VI_VN {
                    state BACKUP
                    interface %s
                    virtual_router_id 51
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        %s/24
                    }
                }
                """.formatted(A_IF, VIP), VIP);
    }

    @Test
    void ipv6KeepalivedAdvertsPassTheReceiveChecksAndAHigherPriorityFromHactlMakesItYield() throws Exception {
        InstanceConfig onB = new InstanceConfig("VI_HACTL", 51, 200, 100, true, Duration.ZERO,
                InetAddress.getByName(VnLink.B_LL),
                List.of(InetAddress.getByName(VIP6_LL), InetAddress.getByName(VIP6)));
        interoperate(onB, VnLink.B_LL, VnLink.A_LL, """
                vrrp_instance VI_VN {
                    state BACKUP
                    interface %s
                    virtual_router_id 51
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        %s/64
                        %s/64
                    }
                }
                """.formatted(A_IF, VIP6_LL, VIP6), VIP6);
    }

    /**
     * Starts keepalived in A with {@code instance} (VRID 51, priority 100, advert_int 1), waits
     * for one of its adverts at hactl's socket in B and checks it, then advertises {@code onB}
     * (from {@code hactlSource}, written as keepalived logs it) at priority 200 until keepalived
     * has removed {@code shownVip}.
     */
    private void interoperate(InstanceConfig onB, String hactlSource, String keepalivedSource, String instance,
            String shownVip) throws Exception {
        ReceiveCheck check = new ReceiveCheck(B_IF, onB.family(), List.of(onB), new ReceiveCounters(), System::nanoTime);
        Link b = net.b.call(() -> {
            try (Addresses a = Addresses.open()) {
                return a.link(B_IF);
            }
        });
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        try (VrrpSocket socket = net.b.call(() -> VrrpSocket.open(b, onB.primaryAddress(), List.of(),
                ChecksumMode.RFC))) {
            startKeepalived(instance);

            // keepalived becomes MASTER after its master-down interval, then advertises every second
            ReceiveVerdict verdict = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (verdict == null && System.nanoTime() < deadline) {
                Datagram d = socket.receive(Duration.ofSeconds(1));
                if (d != null) {
                    verdict = check.check(d.header(), d.message());
                }
            }
            assertThat(verdict).as("an advert from keepalived; its log:\n%s", log()).isNotNull();
            assertThat(verdict.accepted()).as("verdict %s", verdict).isTrue();
            assertThat(verdict.header().source()).isEqualTo(InetAddress.getByName(keepalivedSource));
            assertThat(verdict.header().ttl()).isEqualTo(255);
            assertThat(verdict.checksum()).isEqualTo(ChecksumMode.RFC);
            assertThat(verdict.advert().vrid()).isEqualTo(51);
            assertThat(verdict.advert().priority()).isEqualTo(100);
            assertThat(verdict.advert().maxAdverInterval()).isEqualTo(100);
            assertThat(verdict.advert().addresses()).containsExactlyInAnyOrderElementsOf(onB.addresses());
            assertThat(verdict.mismatches()).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> keepalivedHolds(shownVip));

            // hactl advertises priority 200 once a second, as a master would
            AtomicReference<Exception> failure = new AtomicReference<>();
            sender.scheduleAtFixedRate(() -> {
                try {
                    socket.send(onB.advertisement(200));
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, 0, 1, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> !keepalivedHolds(shownVip));
            assertThat(failure.get()).isNull();
            assertThat(log()).contains("(VI_VN) Master received advert from " + hactlSource
                    + " with higher priority 200, ours 100");
        } finally {
            sender.shutdownNow();
            sender.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
