package com.deliverychannels.packaged;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.deliverychannels.testing.aws.Authorization;
import com.deliverychannels.testing.aws.AwsPolicyProxy;
import com.deliverychannels.testing.aws.SecretsManagerStandIn;

/**
 * What the packaged functions' DynamoDB calls needed, gathered over every packaged IT class of this JVM (failsafe
 * runs them in one JVM), for {@link PolicyCoverageIT}. Each class runs on a table of its own; resources are kept
 * with that table's name replaced by {@link #TABLE}, so that the uses of all classes compare with one policy.
 */
final class PolicyUsage {
    /** The table name the gathered resources and the policies they are held against are written with. */
    static final String TABLE = "DeliveryTable";

    private static final Map<String, List<Authorization>> BY_FUNCTION = new TreeMap<>();
    private static final Set<String> CLASSES = new LinkedHashSet<>();

    private PolicyUsage() {
    }

    /** Keeps what the functions of {@code product} used, once the IT class {@code testClass} is done with it. */
    static synchronized void record(Class<?> testClass, PackagedProduct product) {
        CLASSES.add(testClass.getName());
        Pattern table = Pattern.compile(":table/" + Pattern.quote(product.table()) + "(?=/|$)");
        for (Map.Entry<String, SecretsManagerStandIn> secrets : product.secretsManagers().entrySet()) {
            BY_FUNCTION.computeIfAbsent(secrets.getKey(), export -> new ArrayList<>()).addAll(secrets.getValue().used());
        }
        for (Map.Entry<String, AwsPolicyProxy> proxy : product.policyProxies().entrySet()) {
            List<Authorization> used = BY_FUNCTION.computeIfAbsent(proxy.getKey(), export -> new ArrayList<>());
            for (Authorization authorization : proxy.getValue().used()) {
                String resource = table.matcher(authorization.resource())
                        .replaceFirst(Matcher.quoteReplacement(":table/" + TABLE));
                used.add(new Authorization(authorization.operation(), authorization.action(), resource,
                        authorization.decision()));
            }
        }
    }

    /** The IT classes whose products were recorded. */
    static synchronized Set<String> classes() {
        return Set.copyOf(CLASSES);
    }

    /** Every authorization the function {@code exportName} needed in the recorded classes. */
    static synchronized List<Authorization> of(String exportName) {
        return List.copyOf(BY_FUNCTION.getOrDefault(exportName, List.of()));
    }
}
