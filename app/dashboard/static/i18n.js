// Vietnamese by default, English on request; numbers and dates in the language's own style.

// Each key: [Vietnamese, English]; one row per text so the two never drift apart.
const STRINGS = {
  title: ["Bảng điều khiển Một cửa", "One-stop dashboard"],
  subtitle: ["Tình hình giải quyết thủ tục hành chính", "How administrative procedures are being resolved"],
  unit: ["Đơn vị", "Unit"],
  period: ["Kỳ báo cáo", "Period"],
  month: ["Tháng", "Month"],
  quarter: ["Quý", "Quarter"],
  year: ["Năm", "Year"],
  range: ["Khoảng ngày", "Date range"],
  from: ["Từ ngày", "From"],
  to: ["Đến ngày", "To"],
  logout: ["Đăng xuất", "Log out"],
  login_title: ["Đăng nhập", "Log in"],
  login: ["Đăng nhập", "Log in"],
  key: ["Khóa truy cập", "Access key"],
  login_help: ["Nhập khóa truy cập (API key) do quản trị viên cấp.", "Enter the access key (API key) your administrator gave you."],
  login_failed: ["Khóa không hợp lệ, đã thu hồi hoặc hết hạn.", "The key is unknown, revoked or expired."],
  trend_title: ["Tỷ lệ đúng hạn và số hồ sơ tiếp nhận theo tháng", "On-time rate and dossiers received, by month"],
  ranking_title: ["Xếp hạng tỷ lệ đúng hạn", "On-time ranking"],
  communes: ["Xã, phường", "Communes, wards"],
  agencies: ["Sở, ban, ngành", "Departments"],
  ranking_hint: ["Thấp nhất trước; bấm vào một cột để xem đơn vị đó.", "Worst first; click a bar to open that unit."],
  ranking_empty: ["Không có đơn vị nào có hồ sơ đã giải quyết trong kỳ.", "No unit resolved any dossier in this period."],
  overdue_title: ["Hồ sơ quá hạn", "Overdue dossiers"],
  due_soon_title: ["Đến hạn trong 1 ngày làm việc", "Due within 1 working day"],
  close: ["Đóng", "Close"],
  none: ["Không có hồ sơ nào.", "No dossiers."],
  more: ["và còn nữa", "and more"],
  k_received: ["Tiếp nhận", "Received"],
  k_resolved: ["Đã giải quyết", "Resolved"],
  k_on_time: ["Tỷ lệ đúng hạn", "On-time rate"],
  k_late: ["Trễ hạn", "Late"],
  k_overdue: ["Đang quá hạn", "Pending overdue"],
  k_apology: ["Có văn bản xin lỗi", "Apology coverage"],
  k_online: ["Nộp trực tuyến", "Filed online"],
  k_postal: ["Trả qua bưu chính", "Returned by post"],
  k_satisfaction: ["Hài lòng", "Satisfaction"],
  s_received: ["mới {new} · kỳ trước {carried} · liên thông {moved}",
               "new {new} · carried over {carried} · transferred in {moved}"],
  s_resolved: ["trước hạn {early} · đúng hạn {on_time}", "early {early} · on time {on_time}"],
  s_on_time: ["tiến độ (QĐ 766) {progress}", "national progress {progress}"],
  s_late: ["đã giải quyết, tỷ lệ {rate}", "resolved, rate {rate}"],
  s_overdue: ["trên {pending} hồ sơ đang giải quyết", "of {pending} pending"],
  s_apology: ["kịp thời {timely}", "timely {timely}"],
  s_online: ["{n} hồ sơ trực tuyến", "{n} online"],
  s_postal: ["trên số kết quả đã trả", "of results returned"],
  s_satisfaction: ["đánh giá 4–5 sao", "rated 4 or 5 stars"],
  received_bar: ["Hồ sơ mới tiếp nhận", "Newly received"],
  on_time_line: ["Tỷ lệ đúng hạn (%)", "On-time rate (%)"],
  c_code: ["Mã hồ sơ", "Dossier"],
  c_procedure: ["Thủ tục", "Procedure"],
  c_unit: ["Đơn vị xử lý", "Handling unit"],
  c_due: ["Hạn trả", "Due"],
  f_status: ["Trạng thái", "Status"],
  f_procedure: ["Thủ tục", "Procedure"],
  f_receiving: ["Nơi tiếp nhận", "Received at"],
  f_handling: ["Đơn vị xử lý", "Handling unit"],
  f_channel: ["Kênh nộp", "Channel"],
  f_received: ["Tiếp nhận lúc", "Received"],
  f_due: ["Hẹn trả", "Appointment"],
  f_rescheduled: ["Hẹn lại (xin lỗi)", "New appointment (apology)"],
  f_resolved: ["Có kết quả", "Resolved"],
  f_timeliness: ["Kết quả xử lý", "Timeliness"],
  f_returned: ["Trả kết quả", "Returned"],
  f_rating: ["Đánh giá", "Rating"],
  f_days: ["Số ngày làm việc", "Working days"],
  paused_for: ["tạm dừng tính thời gian", "clock paused"],
  paused_for_obligation: ["tạm dừng chờ thực hiện nghĩa vụ tài chính", "clock paused for financial obligations"],
  st_received: ["Đã tiếp nhận", "Received"],
  st_processing: ["Đang xử lý", "Processing"],
  st_awaiting_supplement: ["Chờ bổ sung", "Awaiting supplement"],
  st_awaiting_financial_obligation: ["Chờ thực hiện nghĩa vụ tài chính", "Awaiting financial obligations"],
  st_resolved: ["Đã có kết quả", "Resolved"],
  st_returned: ["Đã trả kết quả", "Returned"],
  st_refused: ["Từ chối", "Refused"],
  st_stopped: ["Dừng xử lý", "Stopped"],
  st_withdrawn: ["Rút hồ sơ", "Withdrawn"],
  ch_direct: ["Trực tiếp", "At the counter"],
  ch_online: ["Trực tuyến", "Online"],
  ch_postal: ["Bưu chính", "By post"],
  tl_early: ["Trước hạn", "Early"],
  tl_on_time: ["Đúng hạn", "On time"],
  tl_late: ["Quá hạn", "Late"],
  m_counter: ["tại Bộ phận Một cửa", "at the counter"],
  m_postal: ["qua bưu chính", "by post"],
  ev_received: ["Tiếp nhận hồ sơ", "Received"],
  ev_processing_started: ["Chuyển xử lý", "Processing started"],
  ev_transferred: ["Chuyển liên thông", "Transferred"],
  ev_step_completed: ["Chuyển bước xử lý", "Step completed"],
  ev_supplement_requested: ["Yêu cầu bổ sung hồ sơ", "Supplement requested"],
  ev_supplement_received: ["Đã nhận hồ sơ bổ sung", "Supplement received"],
  ev_financial_obligation_requested: ["Yêu cầu thực hiện nghĩa vụ tài chính", "Financial obligations requested"],
  ev_financial_obligation_fulfilled: ["Đã thực hiện nghĩa vụ tài chính", "Financial obligations fulfilled"],
  ev_resolved: ["Có kết quả giải quyết", "Resolved"],
  ev_refused: ["Từ chối", "Refused"],
  ev_stopped: ["Dừng xử lý", "Stopped"],
  ev_withdrawn: ["Rút hồ sơ", "Withdrawn"],
  ev_apology_issued: ["Văn bản xin lỗi, hẹn lại ngày trả", "Apology, new appointment"],
  ev_returned: ["Trả kết quả", "Result returned"],
  ev_due_changed: ["Điều chỉnh ngày hẹn trả theo lịch làm việc", "Appointment recomputed after a calendar change"],
  fl_tardy: ["xin lỗi muộn (dưới 1 ngày làm việc trước hạn)", "tardy apology (less than 1 working day before due)"],
  fl_second: ["xin lỗi lần 2", "second apology"],
  fl_late_against_rescheduled: ["trễ cả hạn hẹn lại", "late against the new appointment too"],
  fl_repeated_supplement: ["bổ sung lần 2", "second supplement request"],
  fl_after_appointment: ["sau ngày hẹn trả: không tạm dừng", "after the appointment: no pause"],
  d_to_unit: ["đến", "to"],
  d_new_due_at: ["hẹn lại", "new appointment"],
  d_waybill: ["mã vận đơn", "waybill"],
  d_rating: ["đánh giá", "rating"],
  // Reason codes (mã lý do), as app/dossiers/rules.py labels them.
  rc_missing_document: ["Thiếu thành phần hồ sơ", "missing document"],
  rc_invalid_document: ["Giấy tờ không hợp lệ", "invalid document"],
  rc_incorrect_information: ["Thông tin kê khai chưa chính xác", "incorrect information"],
  rc_expired_document: ["Giấy tờ hết hiệu lực", "expired document"],
  rc_other: ["Lý do khác", "other reason"],
  rc_not_competent: ["Không thuộc thẩm quyền giải quyết", "not within the unit's competence"],
  rc_ineligible: ["Không đủ điều kiện theo quy định", "does not meet the conditions"],
  rc_incomplete_after_supplement: ["Không bổ sung, hoàn thiện hồ sơ theo yêu cầu", "not completed as requested"],
  rc_forged_document: ["Giấy tờ giả mạo", "forged document"],
  rc_duplicate: ["Hồ sơ trùng lặp", "duplicate dossier"],
  rc_dispute: ["Có tranh chấp, khiếu nại", "dispute or complaint"],
  rc_authority_request: ["Theo yêu cầu của cơ quan có thẩm quyền", "at a competent authority's request"],
  rc_supplement_overdue: ["Quá hạn bổ sung hồ sơ", "supplement not given in time"],
  rc_applicant_unreachable: ["Không liên hệ được với người nộp hồ sơ", "applicant unreachable"],
  rc_applicant_request: ["Theo đề nghị của người nộp hồ sơ", "at the applicant's request"],
  rc_no_longer_needed: ["Không còn nhu cầu giải quyết", "no longer needed"],
  rc_resubmitted: ["Nộp lại hồ sơ mới", "submitted anew"],
  rc_workload: ["Số lượng hồ sơ tăng đột biến", "surge of dossiers"],
  rc_inter_agency_delay: ["Chậm phối hợp giữa các cơ quan", "delay between agencies"],
  rc_verification_needed: ["Cần xác minh, thẩm định thêm", "further verification needed"],
  rc_system_failure: ["Sự cố hệ thống thông tin", "information system failure"],
  rc_officer_error: ["Lỗi của cán bộ, công chức", "officer's error"],
  rc_address_not_found: ["Không tìm thấy địa chỉ", "address not found"],
  rc_recipient_absent: ["Người nhận vắng mặt", "recipient absent"],
  rc_recipient_refused: ["Người nhận từ chối nhận", "recipient refused"],
  overdue_by: ["quá {n} ngày", "{n} days overdue"],
  sc_title: ["Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)", "National service scorecard (QĐ 766)"],
  sc_score: ["Điểm tính được", "Computable score"],
  sc_hint: ["Chỉ tính các chỉ tiêu có đủ dữ liệu; các chỉ tiêu còn lại ghi rõ dữ liệu còn thiếu.", "Only indicators with the data they need are scored; the others name the data they lack."],
  sc_forecast: ["dự báo cuối kỳ {points}", "forecast at the period's end {points}"],
  sc_of_100: ["trên tối đa 100", "of 100 at most"],
  sc_points: ["Điểm đạt", "Points"],
  sc_lost: ["Điểm chưa đạt", "Points missed"],
  sc_unknown: ["Chưa tính được (thiếu dữ liệu)", "Not computable (data missing)"],
  sc_unavailable: ["Không có bộ chỉ số cho kỳ này", "No scorecard for this period"],
  sc_at_risk: ["Hồ sơ sẽ làm mất điểm nếu không xử lý kịp", "Dossiers that will cost points"],
  sc_risk_points: ["có thể mất {points} điểm", "{points} points at risk"],
  sc_code: ["Chỉ tiêu", "Indicator"],
  sc_rate: ["Tỷ lệ", "Rate"],
  sc_got: ["Điểm", "Points"],
  sc_fc: ["Dự báo", "Forecast"],
  sc_missing: ["thiếu dữ liệu", "data missing"],
  sc_empty: ["không có hồ sơ", "nothing to count"],
  sc_overdue_now: ["đã quá hạn", "overdue now"],
  sc_cost: ["Mất điểm", "Costs"],
  g_1: ["Công khai, minh bạch", "Transparency"],
  g_2: ["Tiến độ giải quyết", "Progress"],
  g_3: ["Dịch vụ trực tuyến", "Online services"],
  g_4: ["Số hóa hồ sơ", "Digitisation"],
  g_5: ["Mức độ hài lòng", "Satisfaction"],
  error: ["Không tải được dữ liệu", "Could not load the data"],
  merged: ["đã sáp nhập", "merged"],
};

let lang = sessionStorage.getItem("lang") === "en" ? "en" : "vi";

export function language() {
  return lang;
}

export function setLanguage(next) {
  lang = next;
  sessionStorage.setItem("lang", next);
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
}

export function t(key, values = {}) {
  const text = STRINGS[key]?.[lang === "vi" ? 0 : 1] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

const locale = () => (lang === "vi" ? "vi-VN" : "en-GB");

export function integer(n) {
  return n === null || n === undefined ? "—" : new Intl.NumberFormat(locale()).format(n);
}

export function decimal(n, digits = 2) {
  if (n === null || n === undefined) return "—";
  const opts = { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(locale(), opts).format(n);
}

export function percent(n) {
  if (n === null || n === undefined) return "—";
  const opts = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  return `${new Intl.NumberFormat(locale(), opts).format(n)}%`;
}

export function dateTime(iso) {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale(), {
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Asia/Ho_Chi_Minh",
  }).format(new Date(iso));
}

export function monthLabel(key) {
  const [y, m] = key.split("-");
  return lang === "vi" ? `T${Number(m)}/${y}` : new Intl.DateTimeFormat("en-GB", {
    month: "short", year: "numeric",
  }).format(new Date(Number(y), Number(m) - 1, 1));
}
