package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.role.Role;
import io.hactl.controller.verdict.Reason;
import io.hactl.controller.verdict.Verdict;
import io.hactl.sync.engine.EngineStatus;
import io.hactl.sync.engine.SyncEvidence;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict in the Prometheus exposition: one gauge for it, one per reason. */
class MetricsTest {
    static EngineStatus status() {
        return new EngineStatus(100, 0, 0, 0, true, 80, 300, 2, 5, 100, 0, false, 1, -1, null, 0, Map.of(),
                new SyncEvidence(4200, 0, 0, 0, 0, 150, false, -1, null));
    }

    @Test
    void theVerdictAndEachOfItsReasonsAreGauges() {
        Verdict notOk = new Verdict(Map.of(Reason.UNACKNOWLEDGED, "100 messages, oldest 4.2 s (bound 1.2 s)"), "");
        String m = Metrics.render(new Metrics.Snapshot("fw1", Role.BACKUP, false, status(), null, notOk));
        assertThat(m).contains("# TYPE hactl_verdict_ok gauge\nhactl_verdict_ok{node=\"fw1\"} 0\n")
                .contains("hactl_verdict_reason{node=\"fw1\",reason=\"unacknowledged\"} 1\n")
                .contains("hactl_verdict_reason{node=\"fw1\",reason=\"peer-dead\"} 0\n")
                .contains("hactl_verdict_reason{node=\"fw1\",reason=\"external-count\"} 0\n");
        String ok = Metrics.render(new Metrics.Snapshot("fw1", Role.BACKUP, false, status(), null, new Verdict(Map.of(), "")));
        assertThat(ok).contains("hactl_verdict_ok{node=\"fw1\"} 1\n")
                .doesNotContain("reason=\"unacknowledged\"} 1");
    }
}
