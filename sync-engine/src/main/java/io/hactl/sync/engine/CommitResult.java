package io.hactl.sync.engine;

import java.util.Map;

/**
 * What a commit of the external cache into the kernel did.
 *
 * @param flows     flows written (all of the external cache, or those the kernel did not hold as last received)
 * @param written   created or updated in one batched pass
 * @param replaced  refused as unchangeable (EBUSY) and then deleted and created again
 * @param failures  flows that could not be written, by errno name
 * @param millis    wall time of the whole commit
 * @param unchanged flows left out because a commit or warm standby wrote them and nothing arrived
 *                  for them since (only {@link SyncEngine#commitChanges})
 * @param sinceMillis how long before the kernel was last written so; -1 when nothing was left out
 */
public record CommitResult(int flows, int written, int replaced, Map<String, Integer> failures, long millis,
                           int unchanged, long sinceMillis) {
    public CommitResult {
        failures = Map.copyOf(failures);
    }

    public int failed() {
        int n = 0;
        for (int v : failures.values()) {
            n += v;
        }
        return n;
    }

    public boolean ok() {
        return failures.isEmpty();
    }

    @Override
    public String toString() {
        return "committed " + (written + replaced) + "/" + flows + " flows in " + millis + " ms"
                + (replaced > 0 ? " (" + replaced + " replaced)" : "") + (failures.isEmpty() ? "" : ", failed " + failures)
                + (sinceMillis >= 0 ? "; " + unchanged + " unchanged since the commit " + sinceMillis + " ms before" : "");
    }
}
