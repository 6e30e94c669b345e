package io.hactl.controller.control;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import java.util.TreeMap;

/**
 * A commit of the external cache into the kernel: the answer to {@code commit} and
 * {@code lastCommit} in {@link StatusReport}. {@code sinceMillis} is -1 when every flow was
 * written, else the age of the full commit that the flows left {@code unchanged} date from.
 *
 * @param failures flows refused by the kernel, by error
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommitReport(long flows, long written, long replaced, long failed, long millis, long unchanged,
                           long sinceMillis, Map<String, Integer> failures, boolean ok) {
    public CommitReport {
        failures = failures == null ? Map.of() : new TreeMap<>(failures);
    }

    public static CommitReport of(io.hactl.sync.engine.CommitResult r) {
        return new CommitReport(r.flows(), r.written(), r.replaced(), r.failed(), r.millis(), r.unchanged(), r.sinceMillis(),
                r.failures(), r.ok());
    }
}
