import { describe, expect, it } from "vitest";
import { main } from "../../app/cli/main.ts";
import { useExampleOrg } from "../helpers/example-org.ts";

/**
 * The PR comment for each of the example org's proposed changes, held in inline
 * snapshots: a change to the renderer shows here as a change to what users read.
 */
const example = useExampleOrg("comment");


async function comment(change: string): Promise<string> {
  let stdout = "";
  await main(["affected", "--agents", "../agents", "--head", `change/${change}`, "--format", "markdown"], {
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    cwd: example.org.registry,
    today: "2026-11-24",
  });
  return stdout;
}

describe("the PR comment on the example org", () => {
  it("for a skill minor bump", async () => {
    expect(await comment("skill-minor-bump")).toMatchInlineSnapshot(`
      "<!-- blastgate:affected -->
      ### blastgate: 3 agents affected by 1 change

      **3 affected agents** (3 production) · 1 pinned out · 9 agents read, 1 file refused · ❌ 2 errors, 0 warnings — \`main\` → \`change/skill-minor-bump\`

      #### Changes

      | Asset | From → To | Bump | Flags | Consumers |
      | --- | --- | --- | --- | ---: |
      | \`skill:escalation-rules\` | \`1.2.1\` → \`1.3.0\` | minor | \`sections-changed\` | 4 |

      - \`skill:escalation-rules\`: sections added: \`## Security and privacy incidents\`

      #### Affected agents

      <details open><summary><b>production</b> (3)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`ops-incident-bot\` | ops | \`skill:escalation-rules\` \`1.2.1\` → \`1.3.0\` | \`skill:incident-comms\` → \`skill:escalation-rules\` |
      | \`refund-assistant\` | finance | \`skill:escalation-rules\` \`1.2.1\` → \`1.3.0\` | \`skill:escalation-rules\` |
      | \`support-triage\` | support | \`skill:escalation-rules\` \`1.2.1\` → \`1.3.0\` | \`skill:escalation-rules\` |

      </details>

      <details><summary>Blast radius graph</summary>

      \`\`\`mermaid
      graph LR
        classDef changed fill:#ffe3e3,stroke:#c92a2a
        classDef agent fill:#e7f5ff,stroke:#1c7ed6
        n0["ops-incident-bot"]:::agent
        n3["refund-assistant"]:::agent
        n4["support-triage"]:::agent
        n1["skill:incident-comms"]
        n2["skill:escalation-rules<br>1.2.1 → 1.3.0"]:::changed
        n0 --> n1
        n1 --> n2
        n3 --> n2
        n4 --> n2
      \`\`\`

      </details>

      <details><summary>Pinned out of the change (1)</summary>

      | Agent | Tier | Asset | Stays on | Held by |
      | --- | --- | --- | --- | --- |
      | \`vip-concierge\` | production | \`skill:escalation-rules\` | \`1.2.1\` | \`~1.2.0\` |

      </details>

      #### Problems (2 errors, 0 warnings)

      - ❌ \`../agents/ops-capacity-planner/agent.yaml:4\`: expected \`tier\` to be one of production, staging, experimental; got \`prod\`
      - ❌ \`../agents/ops-capacity-planner/agent.yaml:6\`: unknown key \`sevrers\`; did you mean \`servers\`?

      <sub>Reproduce locally: \`npx blastgate affected --registry . --agents ../agents --base main --head change/skill-minor-bump\`</sub>
      "
    `);
  });

  it("for a breaking server release", async () => {
    expect(await comment("server-breaking-tool-change")).toMatchInlineSnapshot(`
      "<!-- blastgate:affected -->
      ### blastgate: 3 agents affected by 1 change

      **3 affected agents** (3 production) · 1 pinned out · 9 agents read, 1 file refused · ❌ 3 errors, 0 warnings — \`main\` → \`change/server-breaking-tool-change\`

      #### Changes

      | Asset | From → To | Bump | Flags | Consumers |
      | --- | --- | --- | --- | ---: |
      | \`server:ticketing\` | \`4.2.0\` → \`4.3.0\` | minor | \`scopes-added\` \`required-input-added\` \`tool-removed\` \`tool-added\` **\`breaking\`** **\`breaking-under-minor\`** | 4 |

      - \`server:ticketing\`: scopes added: ticketing.tickets:delete (security review)
      - \`server:ticketing\`: breaking: \`update_ticket_status\` input \`reason\` added as required
      - \`server:ticketing\`: breaking: tool \`merge_tickets\` removed
      - \`server:ticketing\`: tool \`delete_ticket\` added

      > [!WARNING]
      > **Security review:** 3 agents (\`ops-incident-bot\`, \`refund-assistant\`, \`support-triage\`) gain \`ticketing.tickets:delete\` through \`server:ticketing\`.

      #### Affected agents

      <details open><summary><b>production</b> (3)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`ops-incident-bot\` | ops | \`server:ticketing\` \`4.2.0\` → \`4.3.0\` | \`server:ticketing\`<br>\`skill:incident-comms\` → \`server:ticketing\` |
      | \`refund-assistant\` | finance | \`server:ticketing\` \`4.2.0\` → \`4.3.0\` | \`server:ticketing\`<br>\`skill:escalation-rules\` → \`server:ticketing\` |
      | \`support-triage\` | support | \`server:ticketing\` \`4.2.0\` → \`4.3.0\` | \`server:ticketing\`<br>\`skill:escalation-rules\` → \`server:ticketing\` |

      </details>

      <details><summary>Blast radius graph</summary>

      \`\`\`mermaid
      graph LR
        classDef changed fill:#ffe3e3,stroke:#c92a2a
        classDef agent fill:#e7f5ff,stroke:#1c7ed6
        n0["ops-incident-bot"]:::agent
        n3["refund-assistant"]:::agent
        n5["support-triage"]:::agent
        n1["server:ticketing<br>4.2.0 → 4.3.0"]:::changed
        n2["skill:incident-comms"]
        n4["skill:escalation-rules"]
        n0 --> n1
        n0 --> n2
        n2 --> n1
        n3 --> n1
        n3 --> n4
        n4 --> n1
        n5 --> n1
        n5 --> n4
      \`\`\`

      </details>

      <details><summary>Pinned out of the change (1)</summary>

      | Agent | Tier | Asset | Stays on | Held by |
      | --- | --- | --- | --- | --- |
      | \`vip-concierge\` | production | \`server:ticketing\` | \`4.2.0\` | \`~4.2.0\` |

      </details>

      #### Problems (3 errors, 0 warnings)

      - ❌ \`../agents/ops-capacity-planner/agent.yaml:4\`: expected \`tier\` to be one of production, staging, experimental; got \`prod\`
      - ❌ \`../agents/ops-capacity-planner/agent.yaml:6\`: unknown key \`sevrers\`; did you mean \`servers\`?
      - ❌ \`servers/ticketing/server.yaml:4 @ change/server-breaking-tool-change\`: server:ticketing 4.2.0 → 4.3.0 is a minor release with breaking tool changes (\`update_ticket_status\` input \`reason\` added as required; tool \`merge_tickets\` removed); make it a major release, or keep the old contract

      <sub>Reproduce locally: \`npx blastgate affected --registry . --agents ../agents --base main --head change/server-breaking-tool-change\`</sub>
      "
    `);
  });

  it("for a default-model switch", async () => {
    expect(await comment("default-model-switch")).toMatchInlineSnapshot(`
      "<!-- blastgate:affected -->
      ### blastgate: 5 agents affected by 1 change

      **5 affected agents** (3 production, 1 staging, 1 experimental) · 0 pinned out · 9 agents read, 1 file refused · ❌ 2 errors, 0 warnings — \`main\` → \`change/default-model-switch\`

      #### Changes

      | Asset | From → To | Bump | Flags | Consumers |
      | --- | --- | --- | --- | ---: |
      | \`model:default\` | \`claude-sonnet-4-5\` → \`claude-sonnet-5-5\` | — | \`model-retarget\` | 5 |

      - \`model:default\`: default model claude-sonnet-4-5 → claude-sonnet-5-5

      #### Affected agents

      <details open><summary><b>production</b> (3)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`ops-incident-bot\` | ops | \`model:default\` \`claude-sonnet-4-5\` → \`claude-sonnet-5-5\` | \`model:default\` |
      | \`refund-assistant\` | finance | \`model:default\` \`claude-sonnet-4-5\` → \`claude-sonnet-5-5\` | \`model:default\` |
      | \`support-triage\` | support | \`model:default\` \`claude-sonnet-4-5\` → \`claude-sonnet-5-5\` | \`model:default\` |

      </details>

      <details open><summary><b>staging</b> (1)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`customer-onboarding\` | sales | \`model:default\` \`claude-sonnet-4-5\` → \`claude-sonnet-5-5\` | \`model:default\` |

      </details>

      <details open><summary><b>experimental</b> (1)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`crm-next-pilot\` | sales | \`model:default\` \`claude-sonnet-4-5\` → \`claude-sonnet-5-5\` | \`model:default\` |

      </details>

      <details><summary>Blast radius graph</summary>

      \`\`\`mermaid
      graph LR
        classDef changed fill:#ffe3e3,stroke:#c92a2a
        classDef agent fill:#e7f5ff,stroke:#1c7ed6
        n0["crm-next-pilot"]:::agent
        n2["customer-onboarding"]:::agent
        n3["ops-incident-bot"]:::agent
        n4["refund-assistant"]:::agent
        n5["support-triage"]:::agent
        n1["model:default<br>claude-sonnet-4-5 → claude-sonnet-5-5"]:::changed
        n0 --> n1
        n2 --> n1
        n3 --> n1
        n4 --> n1
        n5 --> n1
      \`\`\`

      </details>

      #### Problems (2 errors, 0 warnings)

      - ❌ \`../agents/ops-capacity-planner/agent.yaml:4\`: expected \`tier\` to be one of production, staging, experimental; got \`prod\`
      - ❌ \`../agents/ops-capacity-planner/agent.yaml:6\`: unknown key \`sevrers\`; did you mean \`servers\`?

      <sub>Reproduce locally: \`npx blastgate affected --registry . --agents ../agents --base main --head change/default-model-switch\`</sub>
      "
    `);
  });

  it("for an overlay breaker", async () => {
    expect(await comment("overlay-breaker")).toMatchInlineSnapshot(`
      "<!-- blastgate:affected -->
      ### blastgate: 1 agent affected by 1 change

      **1 affected agent** (1 experimental) · 6 pinned out · 9 agents read, 1 file refused · ❌ 3 errors, 0 warnings — \`main\` → \`change/overlay-breaker\`

      #### Changes

      | Asset | From → To | Bump | Flags | Consumers |
      | --- | --- | --- | --- | ---: |
      | \`skill:tone-guide\` | \`1.1.0\` → \`2.0.0\` | major | \`sections-changed\` | 7 |

      - \`skill:tone-guide\`: sections added: \`## Voice and register\`, \`## When things go wrong\`
      - \`skill:tone-guide\`: sections removed: \`## Voice\`, \`## Apologies\` (overlays replacing them stop applying)

      #### Affected agents

      <details open><summary><b>experimental</b> (1)</summary>

      | Agent | Team | Moves | Why |
      | --- | --- | --- | --- |
      | \`crm-next-pilot\` | sales | \`skill:tone-guide\` \`1.1.0\` → \`2.0.0\` | \`skill:tone-guide\` |

      </details>

      <details><summary>Blast radius graph</summary>

      \`\`\`mermaid
      graph LR
        classDef changed fill:#ffe3e3,stroke:#c92a2a
        classDef agent fill:#e7f5ff,stroke:#1c7ed6
        n0["crm-next-pilot"]:::agent
        n1["skill:tone-guide<br>1.1.0 → 2.0.0"]:::changed
        n0 --> n1
      \`\`\`

      </details>

      <details><summary>Pinned out of the change (6)</summary>

      | Agent | Tier | Asset | Stays on | Held by |
      | --- | --- | --- | --- | --- |
      | \`customer-onboarding\` | staging | \`skill:tone-guide\` | \`1.1.0\` | \`^1.0.0\` |
      | \`lead-qualifier\` | production | \`skill:tone-guide\` | \`1.1.0\` | \`^1.0.0\` |
      | \`ops-incident-bot\` | production | \`skill:tone-guide\` | \`1.1.0\` | \`^1.0.0\` |
      | \`refund-assistant\` | production | \`skill:tone-guide\` | \`1.1.0\` | \`^1.0.0\` |
      | \`support-triage\` | production | \`skill:tone-guide\` | \`1.1.0\` | \`^1.0.0\` |
      | \`vip-concierge\` | production | \`skill:tone-guide\` | \`1.1.0\` | \`^1.1.0\` |

      </details>

      #### Problems (3 errors, 0 warnings)

      - ❌ \`../agents/crm-next-pilot/overlays/tone-guide.md:7\` (crm-next-pilot): overlay no longer applies: it replaces \`## Voice\`, which skill:tone-guide@2.0.0 (was 1.1.0) no longer has, so the section would be appended instead. Rename the heading to match the skill's (\`Voice and register\`, \`Greetings and sign-offs\`, \`When things go wrong\`, \`Words to avoid\`, \`Formatting\`), or pin the skill
      - ❌ \`../agents/ops-capacity-planner/agent.yaml:4\`: expected \`tier\` to be one of production, staging, experimental; got \`prod\`
      - ❌ \`../agents/ops-capacity-planner/agent.yaml:6\`: unknown key \`sevrers\`; did you mean \`servers\`?

      <sub>Reproduce locally: \`npx blastgate affected --registry . --agents ../agents --base main --head change/overlay-breaker\`</sub>
      "
    `);
  });
});
