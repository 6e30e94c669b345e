package io.hactl.controller.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hactl version}: the version of hactl and of the Java runtime it runs on. */
@Command(name = "version", description = "Print the hactl version.")
public final class VersionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println(line());
    }

    /**
     * What {@code hactl version} prints. The Java version as the runtime's property gives it, the
     * string {@code Runtime.version()} parses: printing that object would cost a command this
     * short the lambdas and streams of its {@code toString}.
     */
    static String line() {
        return "hactl " + version() + " (Java " + System.getProperty("java.runtime.version") + ")";
    }

    static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("/io/hactl/controller/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Lets {@code hactl --version} print the same. */
    public static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hactl " + version()};
        }
    }
}
