-- Argo CD health of a sluice.dev Pipeline (see ../argocd-health.md): the
-- operator validates it and reports the result on its Ready condition.
local hs = {status = "Progressing", message = "Waiting for the operator to validate the pipeline"}
local st = obj.status
if st == nil or st.observedGeneration == nil then
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and st.observedGeneration < generation then
  hs.message = "Waiting for the operator to validate generation " .. generation
  return hs
end
if st.conditions ~= nil then
  for _, c in ipairs(st.conditions) do
    if c.type == "Ready" and c.status == "True" then
      hs.status = "Healthy"
      hs.message = c.message or "Pipeline is valid"
    elseif c.type == "Ready" and c.status == "False" then
      hs.status = "Degraded"
      hs.message = c.message or "Pipeline is invalid"
    end
  end
end
return hs
