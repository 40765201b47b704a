-- Argo CD health of a sluice.dev PipelineExecution (see ../argocd-health.md).
-- Argo CD runs it without the string library: plain comparisons only.
local hs = {status = "Progressing", message = "Waiting for the operator to pick the execution up"}
local st = obj.status
if st == nil or st.observedGeneration == nil then
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and st.observedGeneration < generation then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local function condition(type)
  if st.conditions ~= nil then
    for _, c in ipairs(st.conditions) do
      if c.type == type then
        return c
      end
    end
  end
  return nil
end
local phase = st.phase or "Pending"
local progress = ""
if st.progress ~= nil then
  progress = " (" .. st.progress .. " steps done)"
end
if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = "Succeeded" .. progress
elseif phase == "Failed" then
  hs.status = "Degraded"
  local stalled = condition("Stalled")
  if st.failureReason ~= nil and st.failureReason ~= "" then
    hs.message = st.failureReason
  elseif stalled ~= nil and stalled.message ~= nil and stalled.message ~= "" then
    hs.message = stalled.message
  else
    hs.message = "Failed"
  end
  if stalled ~= nil and stalled.reason ~= nil then
    hs.message = stalled.reason .. ": " .. hs.message
  end
elseif phase == "Stopped" then
  -- Stopped on purpose (spec.stop): not a failure, and it never resumes.
  hs.status = "Suspended"
  hs.message = "Stopped" .. progress
else
  -- Pending, Executing, Stopping.
  hs.message = phase .. progress
  local reconciling = condition("Reconciling")
  if reconciling ~= nil and reconciling.message ~= nil and reconciling.message ~= "" then
    hs.message = hs.message .. ": " .. reconciling.message
  end
end
return hs
