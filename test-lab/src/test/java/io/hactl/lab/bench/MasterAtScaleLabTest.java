package io.hactl.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.TransitionReport;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.SyncPair;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MASTER transition at 1M flows in warm standby, the daemons with the packaged JVM options
 * (-Xmx512m, SerialGC): node a's kernel gets 1M ESTABLISHED flows, node b's daemon holds them in
 * its cache and its kernel, then b is told MASTER; every step must complete, the commit must write
 * nothing the kernel already held, b's kernel must hold every flow and both daemons must live on.
 */
@Tag("heavy") // both cores: run alone, after the others (test-lab/pom.xml)
@LabTest(tools = {"conntrack"})
class MasterAtScaleLabTest {
    static final int FLOWS = 1_000_000;
    static final int SLICE = 50_000;

    @TempDir
    Path dir;
    SyncPair pair;
    HactlDaemons daemons;
    Conntrack kernelB;

    @BeforeEach
    void setUp() throws Exception {
        ScaleBench.raiseConntrackMax(); // 1M flows in each of two namespaces
        pair = SyncPair.create("f1mt");
        kernelB = pair.b.call(() -> Conntrack.open(new DecodeStats()));
        daemons = new HactlDaemons(pair, dir, "direct-inject: true");
        daemons.start();
        daemons.notify("a", "MASTER");
        daemons.notify("b", "BACKUP");
        await().atMost(Duration.ofSeconds(30)).until(() -> daemons.status("b").role().equals("BACKUP"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemons != null) {
            daemons.close();
        }
        if (kernelB != null) {
            kernelB.close();
        }
        if (pair != null) {
            pair.close();
        }
        // the daemons' logs, for a look when it failed
        Path logs = Path.of("target/lab-logs/master-at-scale").toAbsolutePath();
        Files.createDirectories(logs);
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".out") || p.toString().endsWith(".log")).toList()) {
                Files.copy(p, logs.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void warmStandbyTakesMasterAtOneMillionFlowsWithEveryStepDone() throws Exception {
        loadIntoA(FLOWS);
        await("b's cache and kernel holding every flow").atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> daemons.externalOfB() >= FLOWS && kernelB.count() >= FLOWS);
        // and settled: a has sent everything and has no resync from its kernel to come (1M creates
        // overrun its event socket, and its resync sends the table again), and b's warm standby has
        // written all it received (a batch the kernel holds may still be in flight on b's worker)
        await("a done sending, b's warm standby current").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(this::settled);
        long t0 = System.nanoTime();
        daemons.notify("b", "MASTER");
        await("b MASTER").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                .until(() -> daemons.status("b", Duration.ofSeconds(10)).role().equals("MASTER"));
        long millis = (System.nanoTime() - t0) / 1_000_000;

        StatusReport s = daemons.status("b");
        TransitionReport t = s.lastTransition();
        System.out.printf("MASTER at %,d flows in %d ms: %s%n", FLOWS, millis, ScaleBench.steps(t));
        assertThat(t.to()).isEqualTo("MASTER");
        assertThat(t.steps()).extracting(TransitionReport.StepReport::name)
                .containsExactly("commit", "adopt-peer-flows", "bulk-send");
        assertThat(t.steps()).allSatisfy(step -> assertThat(step.ok()).as("%s", step).isTrue());
        // warm standby: the kernel already holds every flow as received
        assertThat(t.steps().get(0).detail()).startsWith("committed 0/0 flows");
        assertThat(kernelB.count()).isGreaterThanOrEqualTo(FLOWS);
        assertThat(s.caches().internal()).isGreaterThanOrEqualTo(FLOWS);
        assertThat(daemons.alive("a") && daemons.alive("b")).as("both daemons alive").isTrue();
    }

    /** Whether a has nothing more to send b and b's kernel holds all it received. */
    private boolean settled() throws Exception {
        StatusReport a = daemons.status("a");
        if (a.caches().internal() < FLOWS || a.sync().kernelResync() || a.sync().transmitQueue() > 0
                || a.sync().resendQueue() > 0) {
            return false;
        }
        StatusReport b = daemons.status("b");
        return b.caches().external() >= FLOWS && !b.sync().bulkReceiving() && b.sync().standbyCurrent();
    }

    /** FLOWS ESTABLISHED TCP flows into a's kernel, in batches (as Bench.writeLoad's, without conntrack -R's cost). */
    private void loadIntoA(int n) throws Exception {
        try (Conntrack ka = pair.a.call(() -> Conntrack.open(new DecodeStats()))) {
            InetAddress dst = InetAddress.getByName("198.51.100.10");
            for (int from = 0; from < n; from += SLICE) {
                List<Flow> slice = new ArrayList<>(SLICE);
                for (int i = from; i < Math.min(n, from + SLICE); i++) {
                    int host = i / 50_000;
                    InetAddress src = InetAddress.getByAddress(new byte[] {10, (byte) (20 + (host >> 8)), (byte) host, 1});
                    slice.add(Flow.builder(Tuple.tcp(src, dst, 10_000 + i % 50_000, 443))
                            .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).timeout(3600)
                            .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build());
                }
                ka.batch(slice, BatchMode.CREATE);
            }
            assertThat(ka.count()).isEqualTo(n);
        }
    }
}
