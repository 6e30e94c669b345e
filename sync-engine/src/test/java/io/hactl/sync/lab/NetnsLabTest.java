package io.hactl.sync.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The lab's namespaces leave nothing behind, not even a process a test could not see. */
@LabTest
class NetnsLabTest {
    /**
     * An orphan in the namespace (its parent gone, as a keepalived child forked while its parent
     * was being killed) is killed when the namespace is closed, and the namespace is deleted.
     */
    @Test
    void closingANamespaceKillsWhatStillRunsInIt() {
        Netns ns = Netns.create("orphan");
        String name = ns.name();
        long orphan;
        try {
            Netns.Result r = ns.execRaw("sh", "-c", "sleep 600 >/dev/null 2>&1 & echo $!");
            assertThat(r.exitCode()).isZero();
            orphan = Long.parseLong(r.output().strip());
            assertThat(ProcessHandle.of(orphan)).as("the orphan runs").isPresent();
        } finally {
            ns.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(orphan).map(ProcessHandle::isAlive)
                .equals(Optional.of(false)) || ProcessHandle.of(orphan).isEmpty());
        assertThat(Netns.runRaw(10, "ip", "netns", "list").output()).doesNotContain(name);
    }
}
