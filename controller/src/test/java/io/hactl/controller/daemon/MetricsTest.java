package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.role.Role;
import io.hactl.controller.role.Step;
import io.hactl.controller.role.Transition;
import io.hactl.controller.verdict.Reason;
import io.hactl.controller.verdict.Verdict;
import io.hactl.controller.vrrp.DropReason;
import io.hactl.controller.vrrp.GroupTransition;
import io.hactl.controller.vrrp.StepTime;
import io.hactl.controller.vrrp.VrrpInstanceStatus;
import io.hactl.controller.vrrp.VrrpState;
import io.hactl.controller.vrrp.VrrpStatus;
import io.hactl.sync.engine.EngineStatus;
import io.hactl.sync.engine.SyncEvidence;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus exposition: names, labels, values, and a node name that needs escaping. */
class MetricsTest {
    static EngineStatus status() {
        return new EngineStatus(100, 0, 0, 0, true, 80, 300, 2, 5, 100, 0, false, 1, false, -1, null, 0,
                Map.of("drops_bad_mac", 3L, "messages_lost", 7L),
                new SyncEvidence(4200, 0, 0, 0, 0, 150, false, -1, null), null);
    }

    static Metrics.Snapshot snapshot(String node, Verdict v, Transition last) {
        return new Metrics.Snapshot(node, Role.BACKUP, false, status(), last, v);
    }

    @Test
    void theVerdictAndEachOfItsReasonsAreGauges() {
        Verdict notOk = new Verdict(Map.of(Reason.UNACKNOWLEDGED, "100 messages, oldest 4.2 s (bound 1.2 s)"), "");
        String m = Metrics.render(snapshot("fw1", notOk, null));
        assertThat(m).contains("# TYPE hactl_verdict_ok gauge\nhactl_verdict_ok{node=\"fw1\"} 0.0\n")
                .contains("hactl_verdict_reason{node=\"fw1\",reason=\"unacknowledged\"} 1.0\n")
                .contains("hactl_verdict_reason{node=\"fw1\",reason=\"peer-dead\"} 0.0\n")
                .contains("hactl_verdict_reason{node=\"fw1\",reason=\"external-count\"} 0.0\n");
        String ok = Metrics.render(snapshot("fw1", new Verdict(Map.of(), ""), null));
        assertThat(ok).contains("hactl_verdict_ok{node=\"fw1\"} 1.0\n")
                .doesNotContain("reason=\"unacknowledged\"} 1");
    }

    @Test
    void rolesCachesCountersAndTheLastTransitionsStepsKeepTheirNames() {
        Transition t = new Transition(Role.BACKUP, Role.MASTER, "notify", Instant.EPOCH,
                List.of(new Step("commit", 41, true, "committed"), new Step("bulk-send", 2, false, "timed out")), 43);
        String m = Metrics.render(snapshot("fw1", new Verdict(Map.of(), ""), t));
        assertThat(m).contains("hactl_role{node=\"fw1\",role=\"BACKUP\"} 1.0\n")
                .contains("hactl_role{node=\"fw1\",role=\"MASTER\"} 0.0\n")
                .contains("hactl_cache_flows{cache=\"internal\",node=\"fw1\"} 100.0\n")
                .contains("hactl_peer_rtt_seconds{node=\"fw1\"} 3.0E-4\n")
                .contains("# TYPE hactl_drops_total counter\nhactl_drops_total{node=\"fw1\",reason=\"bad_mac\"} 3.0\n")
                .contains("hactl_events_total{name=\"messages_lost\",node=\"fw1\"} 7.0\n")
                .contains("hactl_transition_step_seconds{node=\"fw1\",ok=\"true\",step=\"commit\",to=\"MASTER\"} 0.041\n")
                .contains("hactl_transition_step_seconds{node=\"fw1\",ok=\"false\",step=\"bulk-send\",to=\"MASTER\"} 0.002\n");
    }

    @Test
    void aNodeNameWithQuotesBackslashesAndNewlinesIsEscapedInEveryLabel() {
        String m = Metrics.render(snapshot("fw\"1\\a\nb", new Verdict(Map.of(), ""), null));
        String escaped = "node=\"fw\\\"1\\\\a\\nb\"";
        assertThat(m).contains("hactl_peer_alive{" + escaped + "} 1.0\n")
                .contains("hactl_role{" + escaped + ",role=\"BACKUP\"} 1.0\n");
        // every sample stays on one line: the newline in the name never starts a line of its own
        assertThat(m.lines()).allSatisfy(line -> assertThat(line).matches("(# (HELP|TYPE) hactl_.*|hactl_[a-z_]+\\{.*\\} \\S+)"));
    }
    @Test
    void hactlsOwnVrrpShowsEachInstancesStateAdvertsDropsAndTheTakeoversByBudget() {
        VrrpInstanceStatus lan = new VrrpInstanceStatus("VI_LAN", "lan", 51, VrrpState.MASTER, "master down", 150,
                "10.50.0.2", 150, 40, 3, -1, Map.of(DropReason.BAD_TTL, 2L), null, null);
        GroupTransition took = new GroupTransition(VrrpState.MASTER, "VI_LAN MASTER (master down)", List.of(
                new StepTime(StepTime.STATE, 0, 12, null), new StepTime(StepTime.ADDRESSES, 12, 3, null),
                new StepTime(StepTime.ANNOUNCE, 15, -1, null)), false, false);
        VrrpStatus v = new VrrpStatus(VrrpState.MASTER, null, 1, 0, 0, 0, 0, took, List.of(lan));
        String m = Metrics.render(new Metrics.Snapshot("fw1", Role.MASTER, false, status(), null,
                new Verdict(Map.of(), ""), v));
        assertThat(m).contains("hactl_vrrp_state{instance=\"VI_LAN\",node=\"fw1\",state=\"MASTER\"} 1.0\n")
                .contains("hactl_vrrp_state{instance=\"VI_LAN\",node=\"fw1\",state=\"BACKUP\"} 0.0\n")
                .contains("hactl_vrrp_adverts_total{direction=\"sent\",instance=\"VI_LAN\",node=\"fw1\"} 40.0\n")
                .contains("hactl_vrrp_adverts_total{direction=\"received\",instance=\"VI_LAN\",node=\"fw1\"} 3.0\n")
                .contains("hactl_vrrp_drops_total{instance=\"VI_LAN\",node=\"fw1\",reason=\"bad_ttl\"} 2.0\n")
                .contains("hactl_vrrp_takeovers_total{budget=\"within\",node=\"fw1\"} 1.0\n")
                .contains("hactl_vrrp_priority{instance=\"VI_LAN\",node=\"fw1\"} 150.0\n")
                .contains("hactl_vrrp_master_priority{address=\"10.50.0.2\",instance=\"VI_LAN\",node=\"fw1\"} 150.0\n")
                .contains("hactl_vrrp_held_back{node=\"fw1\"} 0.0\n")
                .contains("hactl_vrrp_transition_step_seconds{node=\"fw1\",ok=\"true\",step=\"state\",to=\"MASTER\"} 0.012\n")
                .contains("hactl_vrrp_transition_step_start_seconds{node=\"fw1\",step=\"addresses\",to=\"MASTER\"} 0.012\n")
                .contains("hactl_vrrp_transition_step_start_seconds{node=\"fw1\",step=\"announce\",to=\"MASTER\"} 0.015\n")
                // a step still running has no duration yet; a MASTER has no master-down timer
                .doesNotContain("step=\"announce\",to=\"MASTER\"} -")
                .doesNotContain("hactl_vrrp_master_down_seconds{");
        assertThat(Metrics.render(snapshot("fw1", new Verdict(Map.of(), ""), null))).doesNotContain("hactl_vrrp");
    }

    @Test
    void aVrrpBackupShowsItsMasterDownTimerTheMasterItHearsAndWhyItHoldsBack() {
        VrrpInstanceStatus lan = new VrrpInstanceStatus("VI_LAN", "lan", 51, VrrpState.BACKUP, "higher priority", 200,
                "10.50.0.3", 100, 0, 12, 287, Map.of(), "external cache 10 of 20 flows", null);
        VrrpStatus v = new VrrpStatus(VrrpState.BACKUP, "external cache 10 of 20 flows", 0, 0, 0, 0, 0, null, List.of(lan));
        String m = Metrics.render(new Metrics.Snapshot("fw2", Role.BACKUP, false, status(), null,
                new Verdict(Map.of(), ""), v));
        assertThat(m).contains("hactl_vrrp_master_down_seconds{instance=\"VI_LAN\",node=\"fw2\"} 0.287\n")
                .contains("hactl_vrrp_master_priority{address=\"10.50.0.3\",instance=\"VI_LAN\",node=\"fw2\"} 100.0\n")
                .contains("hactl_vrrp_priority{instance=\"VI_LAN\",node=\"fw2\"} 200.0\n")
                .contains("hactl_vrrp_held_back{node=\"fw2\"} 1.0\n")
                .doesNotContain("hactl_vrrp_transition_step");
    }
}
