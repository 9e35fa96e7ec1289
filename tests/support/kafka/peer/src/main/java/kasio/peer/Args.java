package kasio.peer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** Parsed command line plus the command's deadline. */
final class Args {
    /** Options that take no value. */
    static final Set<String> FLAGS = Set.of("until-end", "if-not-exists", "if-exists", "internal", "validate-only",
        "authorized-operations", "include-fenced", "synonyms", "require-stable", "timestamps");

    final String command;
    private final Map<String, List<String>> opts = new LinkedHashMap<>();
    final long timeoutMs;
    private final long startNanos = System.nanoTime();

    Args(String command, String[] argv, int from, Set<String> allowed) {
        this.command = command;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || a.length() < 3) {
                throw new PeerException("unexpected argument '" + a + "' (options look like --name value)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq > 0 && !FLAGS.contains(name)) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (FLAGS.contains(name)) {
                value = "true";
            } else {
                if (i + 1 >= argv.length) {
                    throw new PeerException("option --" + name + " needs a value");
                }
                value = argv[++i];
            }
            if (!allowed.contains(name)) {
                throw new PeerException("unknown option --" + name + " for command " + command);
            }
            opts.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        this.timeoutMs = longOpt("timeout-ms", 60000);
        if (timeoutMs <= 0) {
            throw new PeerException("--timeout-ms must be positive");
        }
    }

    boolean has(String name) {
        return opts.containsKey(name);
    }

    boolean flag(String name) {
        return opts.containsKey(name);
    }

    String opt(String name, String def) {
        List<String> v = opts.get(name);
        return v == null ? def : v.get(v.size() - 1);
    }

    String req(String name) {
        String v = opt(name, null);
        if (v == null || v.isEmpty()) {
            throw new PeerException("missing required option --" + name);
        }
        return v;
    }

    List<String> all(String name) {
        List<String> v = opts.get(name);
        return v == null ? List.of() : v;
    }

    long longOpt(String name, long def) {
        String v = opt(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new PeerException("option --" + name + " expects an integer, got '" + v + "'");
        }
    }

    int intOpt(String name, int def) {
        long v = longOpt(name, def);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new PeerException("option --" + name + " is out of range");
        }
        return (int) v;
    }

    /** Parses "0,1,2" into ints; null when the option is absent. */
    List<Integer> intList(String name) {
        String v = opt(name, null);
        if (v == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                out.add(Integer.parseInt(t));
            } catch (NumberFormatException e) {
                throw new PeerException("option --" + name + " expects a comma separated list of integers");
            }
        }
        if (out.isEmpty()) {
            throw new PeerException("option --" + name + " is empty");
        }
        return out;
    }

    /** Splits repeatable key=value options (e.g. --config) into an ordered map. */
    Map<String, String> keyValues(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : all(name)) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new PeerException("option --" + name + " expects key=value, got '" + kv + "'");
            }
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        return out;
    }

    /** bootstrap.servers plus every --config entry. */
    Properties clientProps() {
        Properties p = new Properties();
        p.put("bootstrap.servers", req("bootstrap"));
        p.putAll(keyValues("config"));
        return p;
    }

    /** The value the user passed with --config, or null. */
    String config(String key) {
        return keyValues("config").get(key);
    }

    long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000L;
    }

    long remainingMs() {
        return Math.max(0, timeoutMs - elapsedMs());
    }

    boolean expired() {
        return remainingMs() <= 0;
    }

    /** Throws a timeout error when the deadline has passed. */
    void checkDeadline(String what) {
        if (expired()) {
            throw timeout(what);
        }
    }

    PeerException timeout(String what) {
        return new PeerException("timeout after " + timeoutMs + " ms: " + what);
    }
}
