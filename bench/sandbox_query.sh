#!/usr/bin/env bash
# sandbox_query: how many query records per second i360-sandbox serves, paging through
# every appointment with the sync engine's query shape (parent path + child subquery).
# Usage: bench/sandbox_query.sh [BUILD_DIR] [APPOINTMENTS]   (needs curl)
set -euo pipefail
build=${1:-build}
appts=${2:-20000}
bin=$build/i360-sandbox
[ -x "$bin" ] || { echo "sandbox_query: $bin is missing; run make first." >&2; exit 1; }

out=$(mktemp)
"$bin" --listen 127.0.0.1:0 --auto-approve --appointments "$appts" --staff 50 >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 1 600); do grep -q '^listening on ' "$out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$out")

loc=$(curl -s -o /dev/null -w '%{redirect_url}' \
  "$url/services/oauth2/authorize?response_type=code&client_id=sandbox-consumer-key&redirect_uri=http%3A%2F%2Flocalhost%2Fcb")
code=${loc#*code=}; code=${code%%&*}
token=$(curl -s "$url/services/oauth2/token" -d grant_type=authorization_code -d "code=$code" \
  -d client_id=sandbox-consumer-key -d client_secret=sandbox-consumer-secret \
  -d redirect_uri=http://localhost/cb | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')

q='SELECT+Id,i360core__Account__c,i360core__Sales_Rep_1__c,i360core__Contact_Name__c,i360core__Contact_Email__c,i360core__Contact_Phone__c,i360core__Street_Address__c,i360core__City__c,i360core__State_Province__c,i360core__Zip_Postal_Code__c,i360core__Product_Categories__c,i360core__Type__c,i360core__Appointment_Date_Time__c,i360core__Appointment_End_Date_Time__c,i360core__Status__c,i360core__Status_Detail__c,SystemModstamp,IsDeleted,(SELECT+i360core__Sales_Opportunity__r.Id,i360core__Sales_Opportunity__r.Name,i360core__Sales_Opportunity__r.i360core__Interested_In__c,i360core__Sales_Opportunity__r.i360core__Result__c,i360core__Sales_Opportunity__r.i360core__Result_Detail__c+FROM+i360core__Sales_Appointment_Opportunities__r)+FROM+i360core__Sales_Appointment__c+ORDER+BY+SystemModstamp'
page=$(mktemp); trap 'kill $pid 2>/dev/null; rm -f "$out" "$page"' EXIT
records=0; calls=0; served=0; next="/services/data/v58.0/queryAll?q=$q"
# Only the time curl spends on each call counts: parsing the pages here is not the
# sandbox's work.
while [ -n "$next" ]; do
  t=$(curl -s -w '%{time_total}' -o "$page" -H "Authorization: Bearer $token" "$url$next")
  served=$(awk -v a="$served" -v b="$t" 'BEGIN { printf "%.6f", a + b }')
  calls=$((calls + 1))
  n=$(grep -o '"type":"i360core__Sales_Appointment__c"' "$page" | wc -l)
  records=$((records + n))
  next=$(grep -o '"nextRecordsUrl":"[^"]*"' "$page" | head -1 | sed 's/.*:"\(.*\)"/\1/' || true)
done
awk -v r="$records" -v c="$calls" -v t="$served" 'BEGIN {
  printf "sandbox_query: %d appointment records in %d calls, %.2f s serving: %.0f records/s\n", r, c, t, r / t }'
