package com.deliverychannels.testing.aws;

import java.util.List;
import java.util.Locale;

/**
 * One statement of an identity-based IAM policy, without conditions: an effect, the actions it names (or, with
 * {@code notAction}, every action but those) and the resources it names (or, with {@code notResource}, every
 * resource but those). Patterns may hold IAM's wildcards {@code *} (any run of characters) and {@code ?} (one
 * character).
 *
 * @see <a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html">IAM
 *      JSON policy elements: Action</a>
 * @see <a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html">IAM
 *      JSON policy elements: Resource</a>
 */
public record IamStatement(Effect effect, List<String> actions, boolean notAction, List<String> resources,
                           boolean notResource) {
    /** Whether a statement that applies grants or refuses. */
    public enum Effect {
        ALLOW, DENY
    }

    public IamStatement {
        actions = List.copyOf(actions);
        resources = List.copyOf(resources);
        if (actions.isEmpty() || resources.isEmpty()) {
            throw new IllegalArgumentException("a statement names at least one action and one resource");
        }
    }

    /** Allows {@code actions} on {@code resources}. */
    public static IamStatement allow(List<String> actions, List<String> resources) {
        return new IamStatement(Effect.ALLOW, actions, false, resources, false);
    }

    /** Explicitly denies {@code actions} on {@code resources}: no Allow anywhere outweighs it. */
    public static IamStatement deny(List<String> actions, List<String> resources) {
        return new IamStatement(Effect.DENY, actions, false, resources, false);
    }

    /** Whether this statement applies to {@code action} on {@code resource} (whatever its effect). */
    public boolean appliesTo(String action, String resource) {
        boolean actionNamed = actions.stream().anyMatch(pattern -> actionMatches(pattern, action));
        boolean resourceNamed = resources.stream().anyMatch(pattern -> resourceMatches(pattern, resource));
        return actionNamed != notAction && resourceNamed != notResource;
    }

    /**
     * Action names are case-insensitive ({@code dynamodb:getitem} is {@code dynamodb:GetItem}); the prefix and
     * the name are matched as one string, so {@code dynamodb:*} covers the service and {@code *} everything.
     */
    static boolean actionMatches(String pattern, String action) {
        return glob(pattern.toLowerCase(Locale.ROOT), action.toLowerCase(Locale.ROOT));
    }

    /**
     * ARNs are matched case-sensitively and segment by segment: a wildcard in the region segment does not reach
     * into the account. The last segment (the resource, {@code table/x/index/y}) is matched whole, so {@code *}
     * there covers {@code /}. {@code *} alone matches every resource.
     */
    static boolean resourceMatches(String pattern, String resource) {
        if (pattern.equals("*")) {
            return true;
        }
        String[] patternSegments = pattern.split(":", 6);
        String[] resourceSegments = resource.split(":", 6);
        if (patternSegments.length != 6 || resourceSegments.length != 6) {
            return glob(pattern, resource);
        }
        for (int i = 0; i < 6; i++) {
            if (!glob(patternSegments[i], resourceSegments[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code *} any run of characters (none included), {@code ?} exactly one; everything else literally. */
    static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int starText = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                starText = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
