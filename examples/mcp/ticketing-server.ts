// A small, real MCP server for the example org's `ticketing` server: three of the tools its
// server.yaml declares (search_tickets, get_ticket, update_ticket_status), over stdio, on
// tickets kept in memory. A suite can call it live instead of mocking it:
//
//   servers:
//     ticketing:
//       command: [node, ../../../mcp/ticketing-server.ts]
//
// Node 24 runs it as it is (type stripping); every process starts from the same tickets.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

type Status = "new" | "open" | "pending" | "on-hold" | "solved" | "closed";
type Priority = "low" | "normal" | "high" | "urgent";

interface Ticket {
  id: number;
  subject: string;
  requester_email: string;
  status: Status;
  priority: Priority;
  tags: string[];
  conversation: { from: string; body: string; public: boolean }[];
  updated: number;
}

const tickets: Ticket[] = [
  {
    id: 4711,
    subject: "Refund for a double charge",
    requester_email: "dana@example.com",
    status: "open",
    priority: "normal",
    tags: ["billing"],
    conversation: [{ from: "dana@example.com", body: "I was charged twice for March.", public: true }],
    updated: 3,
  },
  {
    id: 4712,
    subject: "How do I export my invoices?",
    requester_email: "lee@example.com",
    status: "new",
    priority: "low",
    tags: ["how-to"],
    conversation: [{ from: "lee@example.com", body: "Where is the export button?", public: true }],
    updated: 2,
  },
  {
    id: 4713,
    subject: "Sign-in is down for our workspace",
    requester_email: "dana@example.com",
    status: "new",
    priority: "high",
    tags: ["outage"],
    conversation: [{ from: "dana@example.com", body: "Nobody on our team can sign in.", public: true }],
    updated: 4,
  },
];
let clock = 10;

const statuses = ["new", "open", "pending", "on-hold", "solved", "closed"] as const;
const priorities = ["low", "normal", "high", "urgent"] as const;

const server = new McpServer({ name: "ticketing", version: "4.2.0" });

const json = (value: unknown) => ({ content: [{ type: "text" as const, text: JSON.stringify(value) }] });
const failure = (text: string) => ({ content: [{ type: "text" as const, text }], isError: true });

server.registerTool(
  "search_tickets",
  {
    description: "Searches tickets by text, requester email, status or tag. Returns at most 25 per page, most recently updated first.",
    inputSchema: {
      text: z.string().optional(),
      requester_email: z.string().optional(),
      status: z.array(z.enum(statuses)).optional(),
      tag: z.string().optional(),
      page: z.number().int().min(1).default(1),
    },
  },
  ({ text, requester_email, status, tag, page }) => {
    const words = text?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
    const found = tickets
      .filter((ticket) => requester_email === undefined || ticket.requester_email === requester_email)
      .filter((ticket) => status === undefined || status.includes(ticket.status))
      .filter((ticket) => tag === undefined || ticket.tags.includes(tag))
      .filter((ticket) => {
        const haystack = [ticket.subject, ...ticket.conversation.map((entry) => entry.body)].join(" ").toLowerCase();
        return words.every((word) => haystack.includes(word));
      })
      .sort((a, b) => b.updated - a.updated);
    const start = (page - 1) * 25;
    return json({
      tickets: found.slice(start, start + 25).map(({ id, subject, status: state, priority, requester_email: email }) => ({ id, subject, status: state, priority, requester_email: email })),
      total: found.length,
    });
  },
);

server.registerTool(
  "get_ticket",
  {
    description: "Returns a ticket with its conversation, tags, assignee, priority and SLA timers.",
    inputSchema: { ticket_id: z.number().int().min(1) },
  },
  ({ ticket_id }) => {
    const ticket = tickets.find((entry) => entry.id === ticket_id);
    return ticket ? json(ticket) : failure(`no ticket ${ticket_id}`);
  },
);

server.registerTool(
  "update_ticket_status",
  {
    description: "Moves a ticket to a new status and optionally sets its priority. A public comment, when given, is sent to the requester.",
    inputSchema: {
      ticket_id: z.number().int().min(1),
      status: z.enum(["open", "pending", "on-hold", "solved"]),
      priority: z.enum(priorities).optional(),
      public_comment: z.string().max(5000).optional(),
    },
  },
  ({ ticket_id, status, priority, public_comment }) => {
    const ticket = tickets.find((entry) => entry.id === ticket_id);
    if (!ticket) return failure(`no ticket ${ticket_id}`);
    if (ticket.status === "closed") return failure(`ticket ${ticket_id} is closed; open a new one instead`);
    ticket.status = status;
    if (priority) ticket.priority = priority;
    if (public_comment) ticket.conversation.push({ from: "agent", body: public_comment, public: true });
    ticket.updated = ++clock;
    return json({ id: ticket.id, status: ticket.status, priority: ticket.priority });
  },
);

await server.connect(new StdioServerTransport());
