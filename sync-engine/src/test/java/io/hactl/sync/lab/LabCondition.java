package io.hactl.sync.lab;

import io.hactl.sync.sys.LibC;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/** Decides whether a {@link LabTest} can run: root and tools present, else skip loudly or fail under CI. */
public final class LabCondition implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        List<String> missing = new ArrayList<>();
        if (LibC.geteuid() != 0) {
            missing.add("root (network namespaces and ctnetlink writes need it)");
        }
        LabTest spec = context.getRequiredTestClass().getAnnotation(LabTest.class);
        List<String> tools = new ArrayList<>(List.of("ip"));
        if (spec != null) {
            tools.addAll(List.of(spec.tools()));
        }
        for (String tool : tools) {
            if (!onPath(tool)) {
                missing.add("the '" + tool + "' command");
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String msg = "LAB TEST " + context.getRequiredTestClass().getSimpleName() + " cannot run: missing "
                + String.join(", ", missing) + ". Run the README's test command as root.";
        if (System.getenv("CI") != null && !System.getenv("CI").isEmpty()) {
            throw new IllegalStateException(msg + " (CI is set: lab tests must run, not skip)");
        }
        System.err.println();
        System.err.println("!!!!!!!!!! SKIPPED " + msg);
        System.err.println();
        throw new TestAbortedException(msg);
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
