-- wrk script for bench/vote.py: each request is one voter's ballot (session cookie + CSRF token).
-- args: <path> <file of "cookie<TAB>token" lines> <extra form fields, url-encoded, starting with &>
local path, extra
local voters = {}
local next_voter = 0

function init(args)
  path = args[1]
  extra = args[3] or ""
  for line in io.lines(args[2]) do
    local cookie, token = line:match("^([^\t]+)\t([^\t]+)$")
    voters[#voters + 1] = {cookie, token}
  end
end

function request()
  next_voter = next_voter + 1
  local v = voters[next_voter]
  if v == nil then
    -- every voter has voted: ask for the hello page instead (reported, never counted as a vote)
    return wrk.format("GET", "/bench/hello")
  end
  return wrk.format("POST", path, {
    ["Cookie"] = v[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. v[2] .. extra)
end
