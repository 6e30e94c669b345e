package io.hactl.lab.pair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Keeps the daemons' and keepalived's logs of a lab test's last run, for a look after a failure. */
final class LabLogs {
    private LabLogs() {}

    /** Copies the {@code *.log} files of {@code dir} to test-lab/target/lab-logs/{@code run}. */
    static void keep(Path dir, String run) {
        try (var logs = Files.list(dir)) {
            Path to = Path.of("target", "lab-logs", run).toAbsolutePath();
            Files.createDirectories(to);
            for (Path p : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.out.println("could not keep the logs of " + run + ": " + e);
        }
    }

    /** The name of the running test method, for {@link #keep}. */
    static String method(org.junit.jupiter.api.TestInfo test) {
        return test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test");
    }
}
