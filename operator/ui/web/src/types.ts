// JSON shapes served by the Sluice web view's API.

export type ExecutionPhase = "Pending" | "Executing" | "Stopping" | "Stopped" | "Failed" | "Succeeded";

export type StepPhase =
  | "Pending" | "Starting" | "Executing" | "Stopping" | "Stopped" | "Failed" | "Succeeded" | "Skipped";

export const EXECUTION_PHASES: readonly ExecutionPhase[] = [
  "Pending", "Executing", "Stopping", "Stopped", "Failed", "Succeeded",
];

export interface Session {
  namespace: string;
  context: string;
  readOnly: boolean;
  csrfToken: string;
}

export interface PipelineParameter {
  name: string;
  type: string;
  default: string;
  description: string;
}

export interface PipelineSummary {
  name: string;
  description: string;
  steps: number;
  parameters: PipelineParameter[];
  executions: number;
}

export interface ExecutionSummary {
  name: string;
  pipeline: string;
  phase: ExecutionPhase;
  created: string;
  startTime: string | null;
  endTime: string | null;
  progress: string;
  source: string | null;
  selectedSteps: string[] | null;
}

export interface ItemList<T> {
  items: T[];
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface BranchRef {
  condition: string;
  branch: string;
}

export interface StepOutput {
  name: string;
  uri: string;
  size: number | null;
  sha256: string;
}

export interface StepProperty {
  name: string;
  value: string;
}

export type StepKind = "Container" | "Condition" | "Fail";

export interface StepStatus {
  name: string;
  kind: StepKind;
  dependsOn: string[];
  branch: BranchRef | null;
  phase: StepPhase;
  reason: string;
  message: string;
  startTime: string | null;
  endTime: string | null;
  attempts: number;
  jobName: string;
  reusedFrom: string | null;
  cacheHit: string | null;
  conditionOutcome: "True" | "False" | null;
  outputs: StepOutput[];
  properties: StepProperty[];
  image: string;
}

export interface ExecutionParameter {
  name: string;
  value: string;
  source: "Override" | "Reference" | "Default";
  type: string;
  sourceValue: string | null;
  changed: boolean;
}

export interface Execution {
  name: string;
  namespace: string;
  pipeline: string;
  phase: ExecutionPhase;
  created: string;
  startTime: string | null;
  endTime: string | null;
  failureReason: string;
  conditions: Condition[];
  source: string | null;
  selectedSteps: string[] | null;
  order: string[];
  steps: StepStatus[];
  parameters: ExecutionParameter[];
}

export interface StepLogs {
  pod: string | null;
  lines: string[];
}

export interface PlanRequest {
  pipeline: string;
  source: string;
  selectedSteps: string[];
  fromSteps: string[];
  fromFailure: boolean;
  parameters: Record<string, string>;
}

export type PlanAction = "run" | "reuse" | "cacheHit" | "skip" | "fail";

export interface PlanStep {
  name: string;
  kind: StepKind;
  action: PlanAction;
  startsImmediately: boolean;
  waitsFor: string[];
  onBranchOf: BranchRef[];
  producer?: string;
  reason: string;
  message: string;
  conditionOutcome?: string;
  outputs: { name: string; uri: string }[];
}

// The operator planner's verdict (README "Plan JSON").
export interface PlanVerdict {
  accepted: boolean;
  phase: string;
  reason: string;
  message: string;
}

export interface Plan {
  formatVersion: number;
  pipeline: string;
  namespace: string;
  verdict: PlanVerdict;
  warnings: string[];
  sourceExecution: string | null;
  selectedSteps: string[] | null;
  parameters: { name: string; value: string; source: string }[];
  steps: PlanStep[];
}

export interface Created {
  name: string;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  name: string;
  pipeline: string;
  phase: string;
}
