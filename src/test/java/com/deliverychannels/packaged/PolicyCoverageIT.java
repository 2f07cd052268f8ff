package com.deliverychannels.packaged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import com.deliverychannels.testing.aws.Authorization;
import com.deliverychannels.testing.aws.AwsAccount;
import com.deliverychannels.testing.aws.IamPolicy;
import com.deliverychannels.testing.aws.IamStatement;
import com.deliverychannels.testing.aws.TemplatePolicies;

/**
 * Least privilege, proven by the packaged ITs: every DynamoDB action the template grants a function was needed by
 * some call of that function in its ITs (which ran through its {@link com.deliverychannels.testing.aws.AwsPolicyProxy}),
 * or is justified below; and no call of theirs was denied. Prints, per function, what its role grants next to what
 * its ITs used.
 * <p>
 * It judges what {@link PolicyUsage} gathered from the other packaged IT classes of this JVM, so it runs after them
 * (failsafe's JUnit configuration orders IT classes by {@link Order}) and only when all of them ran: a run of some
 * of them (such as {@code -Dit.test=PackagedRetryFunctionIT}) skips it.
 */
@Order(Integer.MAX_VALUE)
class PolicyCoverageIT {
    /** The IT classes whose calls are gathered: each function runs in at least one of them. */
    private static final List<Class<?>> PACKAGED_ITS = List.of(PackagedChannelsFunctionIT.class,
            PackagedSendFunctionIT.class, PackagedBouncesFunctionIT.class, PackagedRetryFunctionIT.class);

    /**
     * Grants kept although no packaged IT makes the call: a code path the function has but its ITs do not take
     * (still needed: remove a grant only when no code path of the function makes the call). Each names the
     * function, the action, the resource ({@code table} is the table's ARN, {@code table/index/gsi1} an index) and
     * why, for example {@code new Justified("bounces", "dynamodb:DeleteItem", "table", "the SNS ledger gives a
     * claim back when a notification cannot be processed")}. Empty now: every grant is used by some IT.
     */
    private static final List<Justified> JUSTIFIED = List.of();

    /** A grant no IT exercises, kept for the reason given. */
    record Justified(String function, String action, String resource, String reason) {
        String key() {
            return function + " " + action + " " + resource;
        }
    }

    /** One action on one resource pattern a function's role allows. */
    private record Grant(String action, String resource) {
        boolean covers(Authorization use) {
            return IamPolicy.of(IamStatement.allow(List.of(action), List.of(resource)))
                    .evaluate(use.action(), use.resource()).allowed();
        }
    }

    @Test
    void everyGrantedDynamoDbActionIsUsedByTheFunctionsItsOrJustifiedAndNoCallWasDenied() {
        Set<String> missing = PACKAGED_ITS.stream().map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
        missing.removeAll(PolicyUsage.classes());
        assumeTrue(missing.isEmpty(), () -> "run with all packaged ITs (./mvnw verify); these did not run: " + missing);

        TemplatePolicies template = TemplatePolicies.read(PolicyUsage.TABLE);
        Map<String, Justified> justified = JUSTIFIED.stream()
                .collect(Collectors.toMap(Justified::key, Function.identity(), (a, b) -> a, TreeMap::new));
        List<String> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String function : template.exportNames()) {
            List<Authorization> uses = PolicyUsage.of(function);
            for (Grant grant : grants(template.policy(function))) {
                String service = grant.action().toLowerCase(java.util.Locale.ROOT);
                if (!service.startsWith("dynamodb:") && !service.startsWith("secretsmanager:")) {
                    rows.add(row(function, grant.action(), grant.resource(), "-", "not observed (no stand-in)"));
                    continue;
                }
                long calls = uses.stream().filter(Authorization::allowed).filter(grant::covers).count();
                Justified reason = justified.remove(function + " " + grant.action() + " " + shortName(grant.resource()));
                String verdict;
                if (calls > 0 && reason != null) {
                    verdict = "used; drop its justification";
                    problems.add(function + ": " + grant.action() + " on " + shortName(grant.resource())
                            + " is used, yet justified as unused: drop the justification");
                } else if (calls > 0) {
                    verdict = "used";
                } else if (reason != null) {
                    verdict = "justified: " + reason.reason();
                } else {
                    verdict = "UNUSED";
                    problems.add(function + ": " + grant.action() + " on " + shortName(grant.resource())
                            + " is granted but no packaged IT of " + function + " needed it: remove it from the"
                            + " template, or justify it in PolicyCoverageIT.JUSTIFIED");
                }
                rows.add(row(function, grant.action(), grant.resource(), Long.toString(calls), verdict));
            }
            Map<String, Long> denied = uses.stream().filter(use -> !use.allowed())
                    .collect(Collectors.groupingBy(use -> use.action() + " " + shortName(use.resource()), TreeMap::new,
                            Collectors.counting()));
            denied.forEach((use, calls) -> {
                String[] parts = use.split(" ", 2);
                rows.add(row(function, parts[0], parts[1], Long.toString(calls), "DENIED"));
                problems.add(function + ": its ITs needed " + use + ", which its role does not allow");
            });
        }
        justified.values().forEach(stale -> problems.add(stale.function() + ": " + stale.action() + " on "
                + stale.resource() + " is justified but not granted: drop the justification"));

        System.out.println(table(rows));
        assertEquals(List.of(), problems, () -> "least privilege does not hold:\n" + table(rows));
    }

    /** The Allow statements' actions on their resources; NotAction and NotResource statements name no grant. */
    private static List<Grant> grants(IamPolicy policy) {
        List<Grant> grants = new ArrayList<>();
        for (IamStatement statement : policy.statements()) {
            if (statement.effect() == IamStatement.Effect.ALLOW && !statement.notAction() && !statement.notResource()) {
                statement.actions().forEach(action -> statement.resources()
                        .forEach(resource -> grants.add(new Grant(action, resource))));
            }
        }
        return grants;
    }

    /**
     * {@code table} for the table's ARN, {@code table/index/gsi1} for an index of it; another ARN of the test
     * account without its {@code arn:aws:<service>:<region>:<account>:} prefix ({@code secret:...}).
     */
    private static String shortName(String resource) {
        String table = AwsAccount.TEST.tableArn(PolicyUsage.TABLE);
        if (resource.startsWith(table)) {
            return "table" + resource.substring(table.length());
        }
        String account = ":" + AwsAccount.TEST.accountId() + ":";
        int at = resource.indexOf(account);
        return resource.startsWith("arn:") && at > 0 ? resource.substring(at + account.length()) : resource;
    }

    private static String row(String function, String action, String resource, String calls, String verdict) {
        return String.format("%-9s %-30s %-50s %6s  %s", function, action, shortName(resource), calls, verdict);
    }

    private static String table(List<String> rows) {
        return String.format("%-9s %-30s %-50s %6s  %s%n", "function", "granted action", "on", "calls", "verdict")
                + String.join(System.lineSeparator(), rows);
    }
}
