package io.hactl.sync.engine;

import java.util.Map;

/**
 * What a commit of the external cache into the kernel did.
 *
 * @param flows     flows in the external cache
 * @param written   created or updated in one batched pass
 * @param replaced  refused as unchangeable (EBUSY) and then deleted and created again
 * @param failures  flows that could not be written, by errno name
 * @param millis    wall time of the whole commit
 */
public record CommitResult(int flows, int written, int replaced, Map<String, Integer> failures, long millis) {
    public CommitResult {
        failures = Map.copyOf(failures);
    }

    public int failed() {
        return failures.values().stream().mapToInt(Integer::intValue).sum();
    }

    public boolean ok() {
        return failures.isEmpty();
    }

    @Override
    public String toString() {
        return "committed " + (written + replaced) + "/" + flows + " flows in " + millis + " ms"
                + (replaced > 0 ? " (" + replaced + " replaced)" : "") + (failures.isEmpty() ? "" : ", failed " + failures);
    }
}
