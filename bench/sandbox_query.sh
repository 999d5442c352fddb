#!/usr/bin/env bash
# sandbox_query: how fast i360-sandbox seeds and serves the product's appointment query.
# Starts the sandbox with APPOINTMENTS appointments and STAFF staff, reports the seeding
# time and resident memory, then pages through the sync engine's appointment query
# (queryAll; 18 appointment fields plus the opportunity subquery; WHERE SystemModstamp >=
# a datetime before every record AND i360core__Sales_Rep_1__c IN (every staff member with
# an email); ORDER BY SystemModstamp ASC, Id ASC) and prints records/s for the first page
# and for the whole result. Only the time curl spends on each call counts: parsing the
# pages here is not the sandbox's work.
# Usage: bench/sandbox_query.sh [BUILD_DIR] [APPOINTMENTS] [STAFF]   (needs curl)
set -euo pipefail
build=${1:-build}
appts=${2:-20000}
staff=${3:-50}
bin=$build/i360-sandbox
[ -x "$bin" ] || { echo "sandbox_query: $bin is missing; run make first." >&2; exit 1; }

out=$(mktemp)
page=$(mktemp)
t0=$(date +%s.%N)
"$bin" --listen 127.0.0.1:0 --auto-approve --appointments "$appts" --staff "$staff" >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out" "$page"' EXIT
until grep -q '^listening on ' "$out"; do
  kill -0 $pid 2>/dev/null || { echo "sandbox_query: the sandbox died while seeding" >&2; exit 1; }
  sleep 0.02
done
t1=$(date +%s.%N)
url=$(sed -n 's/^listening on //p' "$out")
rss() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' /proc/$pid/status; }
# The sandbox's CPU time (user + system, seconds): on a shared machine the wall clock
# also counts other people's work, this does not.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' /proc/$pid/stat; }
seed_cpu=$(cpu)
awk -v a="$t0" -v b="$t1" -v n="$appts" -v r="$(rss VmRSS)" -v c="$seed_cpu" 'BEGIN {
  printf "sandbox_query: seeded %d appointments in %.2f s (%.2f s CPU), RSS %d MB\n", n, b - a, c, r }'

loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
  "$url/services/oauth2/authorize?response_type=code&client_id=sandbox-consumer-key&redirect_uri=http%3A%2F%2Flocalhost%2Fcb")
code=${loc#*code=}; code=${code%%&*}
token=$(curl -s "$url/services/oauth2/token" -d grant_type=authorization_code -d "code=$code" \
  -d client_id=sandbox-consumer-key -d client_secret=sandbox-consumer-secret \
  -d redirect_uri=http://localhost/cb | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
get() { curl -s -H "Authorization: Bearer $token" "$url$1"; }

# The reps the sync engine would ask for: the staff that OCC users match by email.
reps=$(get "/services/data/v58.0/query?q=SELECT+Id+FROM+i360core__Staff__c+WHERE+i360core__Email__c+!%3D+null" |
  grep -o '"Id":"[^"]*"' | sed 's/"Id":"\([^"]*\)"/%27\1%27/' | paste -sd, -)
since=$(date -u -d '90 days ago' +%Y-%m-%dT%H:%M:%SZ)
fields='Id,i360core__Account__c,i360core__Sales_Rep_1__c,i360core__Contact_Name__c,i360core__Contact_Email__c,i360core__Contact_Phone__c,i360core__Street_Address__c,i360core__City__c,i360core__State_Province__c,i360core__Zip_Postal_Code__c,i360core__Product_Categories__c,i360core__Type__c,i360core__Appointment_Date_Time__c,i360core__Appointment_End_Date_Time__c,i360core__Status__c,i360core__Status_Detail__c,SystemModstamp,IsDeleted'
rel=i360core__Sales_Opportunity__r
sub="(SELECT+$rel.Id,$rel.Name,$rel.i360core__Interested_In__c,$rel.i360core__Result__c,$rel.i360core__Result_Detail__c+FROM+i360core__Sales_Appointment_Opportunities__r)"
q="SELECT+$fields,$sub+FROM+i360core__Sales_Appointment__c+WHERE+SystemModstamp+%3E%3D+$since+AND+i360core__Sales_Rep_1__c+IN+($reps)+ORDER+BY+SystemModstamp+ASC,Id+ASC"

records=0; calls=0; served=0; first_n=0; first_t=0; total=0; first_cpu=0
next="/services/data/v58.0/queryAll?q=$q"
while [ -n "$next" ]; do
  t=$(curl -s -w '%{time_total}' -o "$page" -H "Authorization: Bearer $token" "$url$next")
  served=$(awk -v a="$served" -v b="$t" 'BEGIN { printf "%.6f", a + b }')
  calls=$((calls + 1))
  n=$(grep -o '"type":"i360core__Sales_Appointment__c"' "$page" | wc -l)
  records=$((records + n))
  if [ $calls -eq 1 ]; then
    first_n=$n; first_t=$t; first_cpu=$(cpu)
    total=$(head -c 100 "$page" | sed -n 's/^{"totalSize":\([0-9]*\).*/\1/p')
    grep -q '"records"' "$page" || { echo "sandbox_query: the query failed: $(head -c 400 "$page")" >&2; exit 1; }
  fi
  # The page's own locator leads its body; child results carry theirs further in.
  next=$(head -c 300 "$page" | grep -o '^{"totalSize":[0-9]*,"done":false,"nextRecordsUrl":"[^"]*"' |
    sed 's/.*"nextRecordsUrl":"\(.*\)"/\1/' || true)
done
[ "$records" -eq "$total" ] || { echo "sandbox_query: read $records of $total records" >&2; exit 1; }
awk -v r="$records" -v c="$calls" -v t="$served" -v fn="$first_n" -v ft="$first_t" \
  -v m="$(rss VmHWM)" -v c0="$seed_cpu" -v c1="$first_cpu" -v c2="$(cpu)" 'BEGIN {
  printf "sandbox_query: first page %d records in %.3f s (%.2f s CPU): %.0f records/s\n",
    fn, ft, c1 - c0, fn / ft
  printf "sandbox_query: %d appointment records in %d calls, %.2f s serving (%.2f s CPU): %.0f records/s, %.0f per CPU second (peak RSS %d MB)\n",
    r, c, t, c2 - c0, r / t, r / (c2 - c0 > 0 ? c2 - c0 : 0.01), m }'
